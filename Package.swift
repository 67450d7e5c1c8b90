// swift-tools-version: 6.0
import PackageDescription

/// The hot path (decoding, folding, sketches) is optimised in debug builds too: the tests
/// run the real binary over hundreds of thousands of events, which unoptimised code folds
/// ten times slower.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "tbdash",
    products: [
        .executable(name: "tbdash", targets: ["tbdash"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    // The module map — what each target owns and may import — is doc/architecture.md;
    // DocumentationTests keeps it equal to the dependency lists below.
    targets: [
        // C libraries, seen only by the one Swift module that wraps each.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // No pkgConfig: SwiftPM would warn about (and drop) its -D flags; shim.h defines them.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The dataset's schema: events, provinces, CSV cells, exact numbers, the message
        // format (the JSON writer and the decoder that reads it and what others send), and
        // the calendar that turns (month, day) into event time.
        .target(name: "UserBehavior", dependencies: ["Formatting"], swiftSettings: hotPath),
        // Numbers, durations and wall-clock times for people, and option values read from
        // them: pure text, no system calls, so the pure core can import it.
        .target(name: "Formatting"),
        // Clocks, signals, stderr, threads, files and locks (the broker beacon), child
        // processes, the machine's time zone: the small system layer the command-line pieces share.
        .target(name: "Runtime"),
        // Owns every librdkafka pointer: producer, consumer, mock cluster.
        .target(name: "Kafka", dependencies: ["CRdKafka", "Formatting", "Runtime"]),
        // CSV file ─▶ Kafka.
        .target(name: "Producer", dependencies: ["UserBehavior", "Kafka", "Runtime"]),
        // The fold: decoded records ─▶ AggregationState, per partition: offsets, event time,
        // watermarks, micro-batches, the live tail. No I/O; callers decode.
        .target(name: "Aggregation", dependencies: ["Analytics", "LiveValues", "UserBehavior"], swiftSettings: hotPath),
        // Mergeable summaries (monoids): distinct users, frequent items, segment filters.
        // Pure values with binary encodings; no I/O, no clock.
        .target(name: "Analytics", dependencies: ["Formatting", "UserBehavior"], swiftSettings: hotPath),
        // The values the fold produces and every reader consumes: the aggregation state and
        // its projection into a snapshot (counts, partitions, analytics figures, live tail),
        // the live snapshot (pipeline, connection, checkpoint trouble) and its JSON. Pure
        // values, a leaf over the event vocabulary; the dashboard, the headless summary,
        // /metrics, the history and the checkpoint read them.
        .target(name: "LiveValues", dependencies: ["Analytics", "Formatting", "UserBehavior"], swiftSettings: hotPath),
        // The state file: atomic writes, checksum, restore.
        .target(name: "Checkpoint", dependencies: ["Analytics", "CZlib", "Formatting", "LiveValues", "Runtime", "UserBehavior"]),
        // Kafka ─▶ Aggregation: the reader thread, the bounded queue, the aggregator thread.
        .target(name: "Source", dependencies: ["Aggregation", "Analytics", "Kafka", "LiveValues", "Runtime", "UserBehavior"]),
        // Scale-out: the changelog record format, the worker (`tbdash aggregate`) that
        // publishes each partition's state to it, and the viewer (`watch --changelog`) that
        // merges them.
        .target(name: "ScaleOut", dependencies: ["Aggregation", "Analytics", "Checkpoint", "Kafka", "LiveValues", "Runtime", "Source", "UserBehavior"]),
        // Snapshot ─▶ cells: the dashboard's views, drawn into a grid that knows display
        // widths. No terminal here, so every screen is testable as text.
        .target(name: "TUI", dependencies: ["Analytics", "Formatting", "LiveValues", "UserBehavior"]),
        // Cells ─▶ screen: the only code that touches ncurses.
        .target(name: "Terminal", dependencies: ["CNcursesw", "CTerminalRescue", "TUI"]),
        // Restores the terminal from a crash signal handler (C: async-signal-safe only).
        .target(name: "CTerminalRescue"),
        // A small HTTP/1.1 server on swift-nio's codec: a handler is a function of a parsed
        // request; limits (deadlines, sizes, a connection cap) named as Go's net/http does.
        // /metrics today, `tbdash ingest` next: one stack for both.
        .target(name: "HTTPServing", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // `tbdash ingest`'s sans-I/O core: request bodies split into events, the route
        // (paths, token, content types, CORS), group commit (admission, delivery reports,
        // deadlines ─▶ answers) and its metrics. Pure; the shell is in tbdash.
        .target(name: "Ingest", dependencies: ["UserBehavior"]),
        // Alarms: rules on the snapshot's figures, parsed and evaluated with the caller's
        // clock (inactive → pending → firing → resolved). Pure: no I/O, no clock.
        .target(name: "Alerting", dependencies: ["Analytics", "Formatting", "LiveValues", "UserBehavior"]),
        // Snapshot ─▶ Prometheus: the text exposition and the /metrics endpoint.
        .target(name: "Metrics", dependencies: ["HTTPServing", "LiveValues", "Runtime", "UserBehavior"]),
        // State ─▶ SQLite: interval deltas and running totals, written off the aggregator
        // thread, and read back for `tbdash export`. Owns every sqlite3 pointer.
        .target(name: "History", dependencies: ["CSQLite", "LiveValues", "Runtime", "UserBehavior"]),
        // `tbdash check`'s verdicts from gathered facts: pure, no Kafka.
        .target(name: "Preflight", dependencies: ["Formatting"]),
        // Synthetic datasets with the real data's skew.
        .target(name: "Generator", dependencies: ["UserBehavior"]),

        .executableTarget(
            name: "tbdash",
            dependencies: [
                "UserBehavior", "Formatting", "Runtime", "Kafka", "Producer", "Generator", "LiveValues", "Checkpoint", "Source", "ScaleOut", "TUI", "Terminal",
                "Metrics", "History", "Preflight", "HTTPServing", "Ingest", "Alerting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Micro-benchmarks of the hot paths (bench/run builds them in release).
        .executableTarget(
            name: "Benchmarks", dependencies: ["Alerting", "Aggregation", "Analytics", "Checkpoint", "Formatting", "LiveValues", "Generator", "Runtime", "TUI", "UserBehavior"]),

        // Helpers for tests: the real binary, temporary files, independent oracles.
        .target(name: "TestSupport", dependencies: ["Kafka"], path: "Tests/Support"),
        .testTarget(name: "UserBehaviorTests", dependencies: ["UserBehavior", "Generator", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "AggregationTests", dependencies: ["Aggregation", "Generator", "LiveValues", "UserBehavior", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "AnalyticsTests", dependencies: [
            "Analytics", "LiveValues", "UserBehavior", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "SourceTests", dependencies: ["LiveValues", "Source"]),
        .testTarget(name: "ScaleOutTests", dependencies: ["Aggregation", "Analytics", "Checkpoint", "LiveValues", "ScaleOut", "UserBehavior"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "Aggregation", "LiveValues", "Runtime", "UserBehavior", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Aggregation", "Analytics", "LiveValues", "UserBehavior"],
                    resources: [.copy("Goldens")]),
        .testTarget(name: "ProducerTests", dependencies: ["Producer", "Kafka", "Runtime", "UserBehavior", "TestSupport"]),
        .testTarget(name: "FormattingTests", dependencies: ["Formatting", "TestSupport"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "HTTPServing", "Aggregation", "Analytics", "LiveValues", "UserBehavior", "TestSupport"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "Aggregation", "LiveValues", "UserBehavior", "TestSupport"]),
        .testTarget(name: "PreflightTests", dependencies: ["Preflight"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "UserBehavior", "TestSupport"]),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "Analytics", "LiveValues", "UserBehavior"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Checkpoint", "Kafka", "LiveValues", "ScaleOut", "TestSupport"]),
    ]
)
