import Foundation
import Testing
import TestSupport

/// The documentation against what it describes: the module map in doc/architecture.md
/// against Package.swift, and every link between the README and the doc/ pages against
/// the files and headings it points at.
@Suite struct DocumentationTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: TBDashProcess.repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// Each target of Package.swift with its dependencies (target and product names).
    static func packageTargets() throws -> [String: Set<String>] {
        let manifest: String = try text("Package.swift")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in line.firstRange(of: "//").map { line[..<$0.lowerBound] } ?? line }
            .joined(separator: "\n")
        var targets: [String: Set<String>] = [:]
        let declaration = /\.(?:target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"([^"]+)"/
        for match in manifest.matches(of: declaration) {
            let call = enclosed(manifest[match.range.lowerBound...], open: "(", close: ")")
            var dependencies: Set<String> = []
            if let list = call.firstRange(of: "dependencies:") {
                let brackets = enclosed(call[list.upperBound...], open: "[", close: "]")
                let names = brackets.replacing(/package:\s*"[^"]*"/, with: "")
                dependencies = Set(names.matches(of: /"([^"]+)"/).map { String($0.output.1) })
            }
            targets[String(match.output.1)] = dependencies
        }
        return targets
    }

    /// The text from the first `open` in `text` to its matching `close`.
    static func enclosed(_ text: Substring, open: Character, close: Character) -> Substring {
        guard let start = text.firstIndex(of: open) else { return "" }
        var depth = 0
        for index in text[start...].indices {
            if text[index] == open { depth += 1 }
            if text[index] == close {
                depth -= 1
                if depth == 0 { return text[start...index] }
            }
        }
        return text[start...]
    }

    /// The module map's rows: module name ─▶ the names in its "may import" column.
    static func moduleMap() throws -> [String: Set<String>] {
        var rows: [String: Set<String>] = [:]
        for line in try text("doc/architecture.md").split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let module = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            #expect(rows[module] == nil, "\(module) has two rows in the module map")
            rows[module] = Set(cells[cells.count - 1].matches(of: /`([^`]+)`/).map { String($0.output.1) })
        }
        return rows
    }

    @Test func theModuleMapNamesEveryTargetWithItsDependencies() throws {
        let targets = try Self.packageTargets()
        let map = try Self.moduleMap()
        #expect(targets.count >= 30, "Package.swift read wrong: \(targets.keys.sorted())")
        #expect(Set(map.keys) == Set(targets.keys),
                "doc/architecture.md lacks \(Set(targets.keys).subtracting(map.keys).sorted()), names no target \(Set(map.keys).subtracting(targets.keys).sorted())")
        for (target, dependencies) in targets {
            #expect(map[target] == nil || map[target] == dependencies,
                    "doc/architecture.md: \(target) may import \(dependencies.sorted()), the map says \(map[target]?.sorted() ?? [])")
        }
    }

    /// GitHub's anchor for a heading: lowercased, punctuation dropped, spaces as hyphens.
    static func anchor(_ heading: Substring) -> String {
        String(heading.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            return character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
        })
    }

    /// A relative link's path from the repository root.
    static func resolve(_ link: Substring, in directory: some Collection<Substring>) -> String {
        var components = Array(directory)
        for component in link.split(separator: "/") {
            if component == "..", !components.isEmpty { components.removeLast() } else if component != "." { components.append(component) }
        }
        return components.joined(separator: "/")
    }

    /// The lines of a Markdown text outside fenced code blocks.
    static func prose(_ markdown: String) -> [Substring] {
        var fenced = false
        return markdown.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("```") { fenced.toggle(); return false }
            return !fenced
        }
    }

    @Test func everyLinkBetweenTheReadmeAndTheDocPagesLands() throws {
        let pages = try FileManager.default
            .contentsOfDirectory(atPath: TBDashProcess.repository.appendingPathComponent("doc").path)
            .filter { $0.hasSuffix(".md") }.map { "doc/" + $0 }
        #expect(pages.count >= 10)
        var anchors: [String: Set<String>] = [:]
        for page in pages + ["README.md", "BENCHMARKS.md"] {
            anchors[page] = Set(Self.prose(try Self.text(page)).compactMap { line in
                line.firstMatch(of: /^#+ (.+)$/).map { Self.anchor($0.output.1) }
            })
        }
        var links = 0
        for page in pages + ["README.md"] {
            let directory = page.split(separator: "/").dropLast()
            for line in Self.prose(try Self.text(page)) {
                for match in line.matches(of: /\]\(([^)\s]+)\)/) where !match.output.1.contains("://") {
                    links += 1
                    let parts = match.output.1.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                    let target = parts[0].isEmpty ? page : Self.resolve(parts[0], in: directory)
                    let path = TBDashProcess.repository.appendingPathComponent(target).path
                    #expect(FileManager.default.fileExists(atPath: path), "\(page): no file \(target) for \(match.output.0)")
                    if parts.count == 2 {
                        #expect(anchors[target]?.contains(String(parts[1])) == true,
                                "\(page): no heading #\(parts[1]) in \(target)")
                    }
                }
            }
        }
        #expect(links >= 30)
    }
}
