import Ingest
import Testing

@Suite struct IngestRouteTests {
    static let open = IngestRoute(token: nil, corsOrigins: [])
    static let guarded = IngestRoute(token: "s3cret", corsOrigins: ["https://shop.example"])

    @Test func bothPathsTakePostAndOthersSayWhatTheyTake() {
        #expect(Self.open.decide(method: "POST", path: "/api/log", headers: []) == .ingest(headers: []))
        #expect(Self.open.decide(method: "POST", path: "/v1/events", headers: [("Content-Type", "text/plain;charset=UTF-8")]) == .ingest(headers: []))
        guard case .answer(let get) = Self.open.decide(method: "GET", path: "/api/log", headers: []) else { Issue.record(); return }
        #expect(get.status == 405 && get.headers.contains(.init("Allow", "POST, OPTIONS")))
        guard case .answer(let put) = Self.open.decide(method: "PUT", path: "/healthz", headers: []) else { Issue.record(); return }
        #expect(put.status == 405 && put.headers.contains(.init("Allow", "GET, HEAD")))
        guard case .answer(let missing) = Self.open.decide(method: "POST", path: "/nowhere", headers: []) else { Issue.record(); return }
        #expect(missing.status == 404)
        #expect(Self.open.decide(method: "GET", path: "/healthz", headers: []) == .health)
        #expect(Self.open.decide(method: "GET", path: "/metrics", headers: []) == .metrics)
    }

    @Test func otherContentTypesAre415() {
        for type in ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png"] {
            guard case .answer(let answer) = Self.open.decide(method: "POST", path: "/api/log", headers: [("content-type", type)]) else {
                Issue.record("\(type) was taken"); continue
            }
            #expect(answer.status == 415)
        }
        #expect(Self.open.decide(method: "POST", path: "/api/log", headers: [("Content-Type", " Application/JSON ; charset=utf-8")]) == .ingest(headers: []))
    }

    @Test func aTokenIsRequiredExactly() {
        for given in [nil, "Bearer wrong", "Basic s3cret", "Bearer s3cret2", "Bearer"] {
            let headers = given.map { [("Authorization", $0)] } ?? []
            guard case .answer(let answer) = Self.guarded.decide(method: "POST", path: "/api/log", headers: headers) else {
                Issue.record("\(String(describing: given)) was let in"); continue
            }
            #expect(answer.status == 401 && answer.headers.contains { $0.name == "WWW-Authenticate" })
        }
        #expect(Self.guarded.decide(method: "POST", path: "/api/log", headers: [("authorization", "bearer  s3cret ")]) == .ingest(headers: []))
    }

    @Test func corsAnswersAllowedOriginsOnly() {
        let allowed = [("Origin", "https://shop.example")]
        guard case .answer(let preflight) = Self.guarded.decide(method: "OPTIONS", path: "/api/log", headers: allowed) else { Issue.record(); return }
        #expect(preflight.status == 204)
        #expect(preflight.headers.contains(.init("Access-Control-Allow-Origin", "https://shop.example")))
        #expect(preflight.headers.contains(.init("Access-Control-Allow-Headers", "Content-Type, Authorization")))
        guard case .answer(let other) = Self.guarded.decide(method: "OPTIONS", path: "/api/log", headers: [("Origin", "https://evil.example")]) else { Issue.record(); return }
        #expect(!other.headers.contains { $0.name.hasPrefix("Access-Control") })
        #expect(Self.guarded.decide(method: "POST", path: "/api/log", headers: allowed + [("Authorization", "Bearer s3cret")])
                == .ingest(headers: [.init("Access-Control-Allow-Origin", "https://shop.example"), .init("Vary", "Origin")]))
    }
}
