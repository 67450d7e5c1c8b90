import ArgumentParser
import Foundation
import UserBehavior

/// `--map`: how to read a topic whose JSON has another shape (`MessageMapping`), given
/// inline or as `@FILE`. Shared by the commands that decode a topic.
struct MappingOptions: ParsableArguments {
    @Option(name: .customLong("map"),
            help: ArgumentHelp("Read a topic of another JSON shape: FIELD=KEY renames, FIELD=KEY:FROM=TO maps values of action, "
                               + "age_range or gender, FIELD?=VALUE fills an absent field, ts=KEY reads the event time from KEY; or @FILE. "
                               + "Example: 'user_id=uid,action=event:view=click:order=purchase,gender?=unknown,ts=clientTime'.",
                               valueName: "map"))
    var text: String?

    /// The mapping, or nil for tbdash's own shape. Read once, in `validate`.
    func mapping() throws -> MessageMapping? {
        guard let text else { return nil }
        let source: String
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--map: cannot read \(path)")
            }
            source = String(decoding: data, as: UTF8.self)
        } else {
            source = text
        }
        do {
            return try MessageMapping.parse(source)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        _ = try mapping()
    }
}
