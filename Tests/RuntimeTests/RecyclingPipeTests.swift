import Foundation
import Runtime
import Testing

/// The pipe between a parsing or fetching thread and its consumer: buffers circulate
/// without new ones being made, in order, and closing frees a waiting sender.
@Suite struct RecyclingPipeTests {
    final class Buffer: @unchecked Sendable {
        var values: [Int] = []
    }

    @Test func theSameBuffersCirculateInOrder() throws {
        var made = 0
        let pipe = RecyclingPipe<Buffer, Buffer>(depth: 2, spare: 1) {
            made += 1
            return Buffer()
        }
        #expect(made == 3)
        var seen = Set<ObjectIdentifier>()
        var buffer = try #require(pipe.pool.take(timeoutMs: 0))
        var received: [Int] = []
        for round in 0..<10 {
            seen.insert(ObjectIdentifier(buffer))
            buffer.values = [round]
            buffer = try #require(pipe.exchange(buffer))
            let filled = try #require(pipe.queue.take(timeoutMs: 0))
            received += filled.values
            filled.values = []
            pipe.pool.put(filled)
        }
        #expect(received == Array(0..<10))
        #expect(made == 3)
        #expect(seen.count == 3)
    }

    @Test func theSenderWaitsForABufferWhenAllAreInFlight() throws {
        let pipe = RecyclingPipe<Buffer, Buffer>(depth: 1, spare: 1) { Buffer() }
        let first = try #require(pipe.pool.take(timeoutMs: 0))
        let second = try #require(pipe.exchange(first))
        // Both buffers are out (one queued, one being filled): nothing is left to take.
        #expect(pipe.pool.take(timeoutMs: 0) == nil)
        #expect(pipe.queue.take(timeoutMs: 0) === first)
        pipe.pool.put(first)
        #expect(pipe.pool.take(timeoutMs: 0) === first)
        _ = second
    }

    @Test func closingFreesASenderWaitingForAnEmptyBuffer() throws {
        let pipe = RecyclingPipe<Buffer, Buffer>(depth: 1, spare: 0) { Buffer() }
        let only = try #require(pipe.pool.take(timeoutMs: 0))
        let returned = DispatchSemaphore(value: 0)
        let result = Box()
        Thread {
            // Queued, then waits for an empty buffer that never comes back.
            result.buffer = pipe.exchange(only)
            returned.signal()
        }.start()
        #expect(returned.wait(timeout: .now() + 0.2) == .timedOut)
        pipe.close()
        #expect(returned.wait(timeout: .now() + 5) == .success)
        #expect(result.buffer == nil)
        // The receiver still drains what was sent; later sends are dropped.
        #expect(pipe.queue.take(timeoutMs: 0) === only)
        #expect(pipe.queue.put(Buffer()) == nil)
        #expect(pipe.exchange(Buffer()) == nil)
    }

    final class Box: @unchecked Sendable {
        var buffer: Buffer?
    }
}
