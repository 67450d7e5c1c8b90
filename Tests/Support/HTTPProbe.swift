import Foundation

/// A raw HTTP/1.1 client in Python (independent of the server under test): sends requests
/// byte for byte, as written, on one connection and reads each answer by its
/// Content-Length, timing it. For what curl would not send: bare LF, huge lines, keep-alive.
public enum HTTPProbe {
    public struct Response: Sendable {
        public let status: Int
        /// Header names in lower case.
        public let headers: [String: String]
        public let body: String
        /// From sending the request to the end of its answer.
        public let seconds: Double
    }

    public struct Exchange: Sendable {
        /// One per request answered, in order; fewer when the server closed or timed out.
        public let responses: [Response]
        /// Whether the server had closed the connection 0.5 s after the last answer.
        public let closedAfter: Bool
        /// What went wrong on the client's side ("timed out", "reset"), if anything.
        public let error: String?
    }

    static let script = #"""
        import json, socket, sys, time
        plan = json.load(sys.stdin)
        s = socket.create_connection(("127.0.0.1", plan["port"]), timeout=plan["timeout"])
        buf, out, error = b"", [], None

        def fill():
            global buf
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError
            buf += chunk

        try:
            for request in plan["requests"]:
                started = time.monotonic()
                s.sendall(request.encode("latin-1"))
                while b"\r\n\r\n" not in buf:
                    fill()
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = 0 if request.startswith("HEAD ") else int(headers.get("content-length", "0"))
                while len(buf) < length:
                    fill()
                body, buf = buf[:length], buf[length:]
                out.append({"status": int(lines[0].split(" ")[1]), "headers": headers,
                            "body": body.decode("utf-8", "replace"), "seconds": time.monotonic() - started})
        except EOFError:
            error = "closed"
        except socket.timeout:
            error = "timed out"
        except ConnectionResetError:
            error = "reset"
        s.settimeout(0.5)
        try:
            closed = s.recv(1) == b""
        except socket.timeout:
            closed = False
        except OSError:
            closed = True
        print(json.dumps({"responses": out, "closed": closed, "error": error}))
        """#

    /// Sends each request after the previous one's answer, on one connection to
    /// 127.0.0.1:`port`; `timeout` bounds each socket operation.
    public static func exchange(port: Int, _ requests: [String], timeout: Double = 5) throws -> Exchange {
        let plan = try JSONSerialization.data(withJSONObject: ["port": port, "requests": requests, "timeout": timeout])
        let out = try TBDashProcess.python(["-c", script], input: plan) ?? ""
        guard let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
            let responses = json["responses"] as? [[String: Any]]
        else { throw ProbeError.unreadable(out) }
        return Exchange(
            responses: responses.map {
                Response(status: $0["status"] as? Int ?? 0, headers: $0["headers"] as? [String: String] ?? [:],
                         body: $0["body"] as? String ?? "", seconds: $0["seconds"] as? Double ?? 0)
            },
            closedAfter: json["closed"] as? Bool ?? false, error: json["error"] as? String)
    }

    /// Runs a Python script (given the port as its argument) that prints one JSON object.
    /// What every `run(script:)` script may call: `get_once(port, timeout)` sends `GET /` on a
    /// new connection and reads to the close: (answer or None, error or None, seconds).
    static let prelude = #"""
        import socket, time

        def get_once(port, timeout):
            t = time.monotonic()
            try:
                c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                reply = b""
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                c.close()
                return reply, None, time.monotonic() - t
            except OSError as e:
                return None, str(e), time.monotonic() - t

        """#

    /// Runs a Python `script` (after `prelude`) with the port as its argument; its stdout is
    /// one JSON object.
    public static func run(script: String, port: Int) throws -> [String: Any] {
        let out = try TBDashProcess.python(["-c", prelude + script, "\(port)"], input: Data()) ?? ""
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw ProbeError.unreadable(out)
        }
        return json
    }

    public enum ProbeError: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self {
            case .unreadable(let out): "the probe printed no JSON: \(out.suffix(2_000))"
            }
        }
    }
}
