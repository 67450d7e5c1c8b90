import Foundation
import Runtime
import Testing
import TestSupport

/// The beacon's rules on real files: one holder at a time, the address read only while the
/// lock is held, and withdrawn when the holder goes.
@Suite struct BrokerBeaconTests {
    @Test func theHolderPublishesAndASecondClaimSeesItsAddress() throws {
        let directory = try TemporaryDirectory()
        let beacon = BrokerBeacon(directory: directory.file("runtime").path)
        #expect(beacon.runningBrokerAddress() == nil)
        guard case .claimed(let claim) = try beacon.claim() else {
            Issue.record("the first claim must succeed")
            return
        }
        try claim.publish(address: "127.0.0.1:40123")
        #expect(try String(contentsOfFile: beacon.addressPath, encoding: .utf8) == "127.0.0.1:40123\n")
        #expect(beacon.runningBrokerAddress() == "127.0.0.1:40123")
        guard case .alreadyRunning(let address) = try beacon.claim() else {
            Issue.record("a second claim must see the running broker")
            return
        }
        #expect(address == "127.0.0.1:40123")
        withExtendedLifetime(claim) {}
    }

    @Test func anAddressLeftWithoutTheLockIsNotBelieved() throws {
        let directory = try TemporaryDirectory()
        let beacon = BrokerBeacon(directory: directory.url.path)
        // A killed broker leaves its address behind; nobody holds the lock.
        try "127.0.0.1:1\n".write(toFile: beacon.addressPath, atomically: false, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: directory.file("broker.lock").path, contents: nil))
        #expect(beacon.runningBrokerAddress() == nil)
    }

    @Test func droppingTheClaimWithdrawsTheAddress() throws {
        let directory = try TemporaryDirectory()
        let beacon = BrokerBeacon(directory: directory.url.path)
        do {
            guard case .claimed(let claim) = try beacon.claim() else {
                Issue.record("the first claim must succeed")
                return
            }
            try claim.publish(address: "127.0.0.1:40124")
        }
        #expect(!FileManager.default.fileExists(atPath: beacon.addressPath))
        #expect(beacon.runningBrokerAddress() == nil)
        guard case .claimed = try beacon.claim() else {
            Issue.record("the beacon must be free again")
            return
        }
    }

    @Test func anUncreatableDirectoryIsOneClearError() throws {
        let beacon = BrokerBeacon(directory: "/proc/tbdash-beacon-test")
        #expect(throws: FileOperationError.self) { try beacon.claim() }
    }
}
