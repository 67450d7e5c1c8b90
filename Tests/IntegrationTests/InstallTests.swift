import Foundation
import Testing
import TestSupport

/// `scripts/install` into a temporary prefix, then the installed tool as a user meets it:
/// on PATH, `--version`, the man page through `man`, the bash completion. The debug binary
/// is what gets installed, so these tests build nothing.
@Suite struct InstallTests {
    static let subcommands = ["watch", "check", "aggregate", "demo", "produce", "ingest", "broker", "gen", "export"]

    static func install(
        _ arguments: [String], binary: URL = TBDashProcess.binary, environment: [String: String]
    ) throws -> TBDashProcess.Result {
        let script = TBDashProcess.repository.appendingPathComponent("scripts/install")
        return try TBDashProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"), [script.path, "--binary", binary.path] + arguments,
            environment: environment, timeout: 60)
    }

    static func shell(_ command: String, path: String = "/usr/bin:/bin") throws -> TBDashProcess.Result {
        try TBDashProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"), ["-c", command], environment: ["PATH": path], timeout: 30)
    }

    /// The regular files under `directory`, relative to it, sorted.
    static func files(under directory: URL) -> [String] {
        let root = directory.resolvingSymlinksInPath().path + "/"
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(String(url.resolvingSymlinksInPath().path.dropFirst(root.count)))
            }
        }
        return files.sorted()
    }

    @Test func installsTheBinaryCompletionsAndManPageUnderPREFIX() throws {
        let temporary = try TemporaryDirectory()
        let prefix = temporary.file("prefix").path
        let result = try Self.install([], environment: ["PREFIX": prefix, "HOME": temporary.file("home").path, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.files(under: temporary.file("prefix")) == [
            "bin/tbdash",
            "share/bash-completion/completions/tbdash",
            "share/fish/vendor_completions.d/tbdash.fish",
            "share/man/man1/tbdash.1",
            "share/zsh/site-functions/_tbdash",
        ])
        // stdout is the installed binary alone (scripts/quickstart runs it); stderr says
        // where everything went, and that the prefix's bin is not on this PATH.
        #expect(result.stdout == "\(prefix)/bin/tbdash\n")
        #expect(result.stderr.contains("installed to \(prefix)/bin/tbdash"), "\(result.stderr)")
        #expect(result.stderr.contains("man page: \(prefix)/share/man/man1/tbdash.1"), "\(result.stderr)")
        #expect(result.stderr.contains("warning: \(prefix)/bin is not on PATH"), "\(result.stderr)")

        // With the prefix on PATH: no warning, and a new shell finds the tool by name.
        let onPath = try Self.install([], environment: ["PREFIX": prefix, "PATH": "\(prefix)/bin:/usr/bin:/bin"])
        #expect(onPath.status == 0 && !onPath.stderr.contains("warning"), "\(onPath.stderr)")
        let found = try Self.shell("command -v tbdash && tbdash --help", path: "\(prefix)/bin:/usr/bin:/bin")
        #expect(found.status == 0 && found.stdout.hasPrefix("\(prefix)/bin/tbdash\nOVERVIEW:"), "\(found.stdout)\(found.stderr)")

        // The installed binary's version, with librdkafka's as pkg-config knows it.
        let version = try TBDashProcess.run(program: URL(fileURLWithPath: "\(prefix)/bin/tbdash"), ["--version"], timeout: 20)
        let librdkafka = try Self.shell("pkg-config --modversion rdkafka").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!librdkafka.isEmpty)
        #expect(version.status == 0, "\(version.stderr)")
        #expect(
            version.stdout.wholeMatch(of: /tbdash [0-9]+\.[0-9]+\.[0-9]+ \(librdkafka ([0-9.]+)\)\n/)?.1 == Substring(librdkafka),
            "\(version.stdout)")

        // The man page, as `man` shows it: clean (no mdoc warnings), every subcommand in it.
        let man = try Self.shell("MANWIDTH=100 man -P cat -l '\(prefix)/share/man/man1/tbdash.1'")
        #expect(man.status == 0 && man.stderr.isEmpty, "\(man.stderr)")
        #expect(man.stdout.contains("NAME\n     tbdash – A live terminal dashboard") || man.stdout.contains("NAME\n     tbdash — A live terminal dashboard"), "\(man.stdout.prefix(400))")
        for command in Self.subcommands {
            #expect(man.stdout.contains("\n     \(command)"), "\(command) missing from the man page")
        }

        // The bash completion registers itself for tbdash.
        let completion = try Self.shell("source '\(prefix)/share/bash-completion/completions/tbdash' && complete -p tbdash")
        #expect(completion.status == 0 && completion.stdout.hasSuffix(" -F _tbdash tbdash\n"), "\(completion.stdout)\(completion.stderr)")
        let zsh = try String(contentsOfFile: "\(prefix)/share/zsh/site-functions/_tbdash", encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef tbdash\n"))
        let fish = try String(contentsOfFile: "\(prefix)/share/fish/vendor_completions.d/tbdash.fish", encoding: .utf8)
        #expect(fish.contains("complete -c 'tbdash'") || fish.contains("complete -c tbdash"), "\(fish.prefix(400))")
    }

    @Test func prefixOptionWinsOverThePREFIXVariable() throws {
        let temporary = try TemporaryDirectory()
        let result = try Self.install(
            ["--prefix", temporary.file("chosen").path],
            environment: ["PREFIX": temporary.file("ignored").path, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.files(under: temporary.file("chosen")).contains("bin/tbdash"))
        #expect(!FileManager.default.fileExists(atPath: temporary.file("ignored").path))
    }

    @Test(arguments: [["--prefix"], ["--bogus"], ["--binary", "/nonexistent/tbdash"]])
    func badArgumentsAreUsageErrorsThatInstallNothing(_ arguments: [String]) throws {
        let temporary = try TemporaryDirectory()
        let result = try Self.install(arguments, environment: ["PREFIX": temporary.file("p").path])
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temporary.file("p").path))
    }

    /// Every option each command's `--help` lists is in that command's part of the
    /// committed man page, and the page lists no other: the page is not stale. (scripts/test
    /// also regenerates it and compares the whole text: `scripts/manual --check`.)
    @Test func manPageListsTheOptionsOfTheCurrentHelp() throws {
        let page = try String(contentsOf: TBDashProcess.repository.appendingPathComponent("doc/tbdash.1"), encoding: .utf8)
        // mdoc: the root's options, then `.It Em <command>` and that command's `.It Fl` items.
        var pageOptions: [String: [String]] = ["": []]
        var command = ""
        for line in page.split(separator: "\n") {
            if line.hasPrefix(".It Em ") {
                command = String(line.dropFirst(".It Em ".count))
                pageOptions[command] = []
            } else if line.hasPrefix(".It Fl ") {
                let names = line.dropFirst(".It Fl ".count).split(separator: " Ar ").first ?? ""
                pageOptions[command]! += names.split(separator: " ").filter { $0 != "," }.map { "-\($0)" }
            }
        }
        #expect(Set(pageOptions.keys) == Set([""] + Self.subcommands + ["help"]))
        for command in [""] + Self.subcommands {
            let help = try TBDashProcess.run(command.isEmpty ? ["--help"] : [command, "--help"], timeout: 20)
            // Option lines are indented two spaces: `  -b, --brokers <brokers>   Bootstrap …`.
            let helpOptions = help.stdout.split(separator: "\n").filter { $0.hasPrefix("  -") }.flatMap { line in
                // Names and their `<value>`s lead the line; a long one leaves a single space
                // before the description, which may name other options.
                let tokens = line.dropFirst(2).split(separator: " ").prefix { $0.hasPrefix("-") || $0.hasPrefix("<") }
                return tokens.filter { $0.hasPrefix("-") }.map { String($0.trimmingCharacters(in: [","])) }
            }
            #expect(helpOptions.count > 1, "\(command)")
            #expect(pageOptions[command]?.sorted() == helpOptions.sorted(), "tbdash \(command): run scripts/manual")
        }
    }

    @Test func noArgumentsPrintsTheShortHelpAndSucceeds() throws {
        let result = try TBDashProcess.run([], timeout: 20)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: tbdash <subcommand>"), "\(result.stdout)")
        for command in Self.subcommands {
            #expect(result.stdout.contains("\n  \(command) "), "\(command) missing: \(result.stdout)")
        }
    }
}
