import Glibc

/// A command run as a child process with `posix_spawn`: its arguments are passed as they
/// are (no shell parses data), its environment is the parent's plus `environment`. It leads
/// a process group of its own, so that what it starts (a shell's commands) ends with it:
/// waited for with a deadline, past which that group is killed — nothing else.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// How a child ended.
    public enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the deadline: killed.
        case timedOut
    }

    /// Starts `executable` (a path) with `arguments` (argv[1...]) and the parent's
    /// environment plus `environment`; `silent`: its stdout and stderr go to /dev/null (a
    /// dashboard's screen is no place for them). Throws the system's reason when it cannot
    /// start.
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String],
                             silent: Bool = false) throws(FileOperationError) -> ChildProcess {
        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { merged[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Its stdin is /dev/null: a dashboard's keys are not the command's.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if silent {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // Signals as a fresh process has them: tbdash ignores SIGINT and blocks others on
        // its threads, which a child would otherwise inherit (and never stop on Ctrl-C).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw FileOperationError(operation: "spawn \(executable)", detail: String(cString: strerror(status))) }
        return ChildProcess(pid: pid)
    }

    /// Kills it and what it started (its process group).
    public func killGroup() {
        kill(-pid, SIGKILL)
    }

    /// Waits until it ends or `timeoutMs` has passed (then kills it and reaps it).
    public func wait(timeoutMs: Int64) -> Outcome {
        let deadline = MonotonicClock.milliseconds() + timeoutMs
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { return .exited(-1) }
            if MonotonicClock.milliseconds() >= deadline {
                killGroup()
                _ = waitpid(pid, &status, 0)
                return .timedOut
            }
            usleep(10_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
