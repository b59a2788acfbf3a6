import Foundation
import Testing

/// The rule plugin authors build on: a plugin depends on the kit and the core only (and logging,
/// and the recommendation arithmetic of CantoRecommend, itself over the core alone), never on the
/// server or GRDB. The local library is the one stated exception (it owns the scanner).
@Suite("Plugin boundaries")
struct PluginBoundaryTests {
    static let allowed: Set<String> = ["CantoPluginKit", "CantoCore", "Logging", "CantoRecommend"]
    /// Modules any Swift file may import.
    static let system: Set<String> = ["Foundation", "Dispatch", "Synchronization", "Glibc"]

    @Test func pluginTargetsDependOnTheKitAndTheCoreOnly() throws {
        let manifest = try String(
            contentsOf: SubsonicClientTests.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        // Each `.target(` block with a `path: "Plugins/…"`, and the names its dependencies list.
        let blocks = manifest.components(separatedBy: ".target(").dropFirst()
        var plugins: [String: Set<String>] = [:]
        for block in blocks {
            let body = String(block.prefix(1_500))
            guard let path = body.firstMatch(of: /path: "(Plugins\/[^"]+)"/)?.1,
                let name = body.firstMatch(of: /name: "([^"]+)"/)?.1
            else { continue }
            let dependencies = body.firstMatch(of: /dependencies: \[([^\]]*)\]/)?.1 ?? ""
            var names = Set(dependencies.matches(of: /"([A-Za-z]+)"/).map { String($0.1) })
            // `.product(name: "Logging", package: "swift-log")` names its package too.
            names.subtract(dependencies.matches(of: /package: "([^"]+)"/).map { String($0.1) })
            plugins[String(name)] = names
            #expect(path.hasPrefix("Plugins/"))
        }
        #expect(Set(plugins.keys).isSuperset(of: ["ListenBrainzPlugin", "LastFMPlugin", "LocalPlugin"]), "\(plugins)")
        for (name, dependencies) in plugins where name != "LocalPlugin" {
            #expect(
                dependencies.isSubset(of: Self.allowed), "\(name) depends on \(dependencies.subtracting(Self.allowed))")
        }
        #expect(plugins["LocalPlugin"] == ["CantoPluginKit", "CantoLibrary", "CantoMedia", "CantoCore"])
        // CantoRecommend is arithmetic over the core values: nothing of the server's comes in through it.
        let recommend = blocks.first { $0.contains("name: \"CantoRecommend\"") }.map { String($0.prefix(600)) } ?? ""
        let recommendDependencies = recommend.firstMatch(of: /dependencies: \[([^\]]*)\]/)?.1 ?? ""
        #expect(Set(recommendDependencies.matches(of: /"([A-Za-z]+)"/).map { String($0.1) }) == ["CantoCore"])
    }

    @Test func pluginSourcesImportTheKitAndTheCoreOnly() throws {
        let root = SubsonicClientTests.packageRoot.appendingPathComponent("Plugins")
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0 != "Local" }
        #expect(folders.count >= 2)
        for folder in folders {
            let directory = root.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where file.hasSuffix(".swift") {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    guard let module = line.firstMatch(of: /^(?:public |internal |@testable )*import (\w+)/)?.1 else {
                        continue
                    }
                    #expect(
                        Self.allowed.union(Self.system).contains(String(module)),
                        "\(folder)/\(file) imports \(module)")
                }
            }
        }
    }
}
