import ArgumentParser
import CantoCore
import CantoDomain
import CantoServer
import Foundation
import Logging

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.",
        subcommands: [Add.self, List.self, Passwd.self, Delete.self, SetRole.self])

    /// Reads a password from standard input (one line), as scripts pass it.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input")
        }
        return line
    }

    /// Only the accounts: no plugins, scanner or caches are built for a user command.
    static func services(_ common: CommonOptions) async throws -> Accounts {
        let configuration = try common.load()
        let logger = Bootstrap.logging(configuration, level: .warning)
        return Accounts(accounts: try AccountService.open(configuration: configuration, logger: logger))
    }

    /// What the user commands work with.
    struct Accounts {
        let accounts: AccountService
    }

    static func find(_ name: String, in services: Accounts) async throws -> User {
        guard let user = try await services.accounts.user(named: name) else {
            FileHandle.standardError.write(Data("canto: no user named \(name)\n".utf8))
            throw ExitCode(1)
        }
        return user
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; prints the Subsonic app password once.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Option(help: "admin or user") var role: String = "user"
        @Flag(help: "Read the password from standard input.") var passwordStdin = false
        @Option(help: "The name shown in apps.") var displayName: String?

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass the password with --password-stdin") }
            guard let role = Role(rawValue: role) else { throw ValidationError("role must be admin or user") }
            let password = try UserCommand.readPassword()
            let services = try await UserCommand.services(common)
            let created = try await services.accounts.createUser(
                username: name, password: password, role: role, displayName: displayName, actor: nil, address: "cli")
            print("created \(role.rawValue) \(created.user.username) (\(created.user.id))")
            print("Subsonic app password (shown once): \(created.appPassword)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let services = try await UserCommand.services(common)
            print("USERNAME             ROLE   CREATED     LAST SEEN")
            let day = ISO8601DateFormatter()
            day.formatOptions = [.withFullDate]
            for user in try await services.accounts.allUsers() {
                print(
                    [
                        user.username.padding(toLength: 20, withPad: " ", startingAt: 0),
                        user.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0),
                        day.string(from: user.createdAt), user.lastSeenAt.map { day.string(from: $0) } ?? "never",
                    ].joined(separator: " "))
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (signs them out everywhere).")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw ValidationError("pass the password with --password-stdin") }
            let password = try UserCommand.readPassword()
            let services = try await UserCommand.services(common)
            let user = try await UserCommand.find(name, in: services)
            try await services.accounts.setPassword(of: user, to: password, actor: nil, address: "cli")
            print("password of \(name) changed")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and everything they own.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String

        func run() async throws {
            let services = try await UserCommand.services(common)
            try await services.accounts.deleteUser(
                try await UserCommand.find(name, in: services), actor: nil, address: "cli")
            print("deleted \(name)")
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Make a user admin or user.")
        @OptionGroup var common: CommonOptions
        @Argument var name: String
        @Argument(help: "admin or user") var role: String

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("role must be admin or user") }
            let services = try await UserCommand.services(common)
            let user = try await UserCommand.find(name, in: services)
            _ = try await services.accounts.updateUser(user, role: role, actor: user, address: "cli")
            print("\(name) is now \(role.rawValue)")
        }
    }
}
