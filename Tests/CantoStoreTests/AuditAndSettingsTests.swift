import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct AuditAndSettingsTests {
    @Test func auditEventsComeNewestFirstAndPage() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        // Recorded out of time order, with two at the same instant.
        let entries: [(AuditEvent.Kind, Double, UserID?, String?)] = [
            (.userCreated, 10, ana.id, "ana"),
            (.loginFailed, 30, nil, "mallory"),
            (.loginSucceeded, 20, ana.id, "ana"),
            (.keyCreated, 30, ana.id, "phone"),
            (.sessionRevoked, 5, ana.id, nil),
        ]
        for (kind, seconds, actor, subject) in entries {
            try await store.accounts.record(
                kind, actor: actor, subject: subject, address: "198.51.100.\(Int(seconds))",
                at: TestAccounts.date(seconds))
        }
        let all = try await store.accounts.auditEvents(offset: 0, limit: 100)
        #expect(all.map(\.kind) == [.keyCreated, .loginFailed, .loginSucceeded, .userCreated, .sessionRevoked])
        #expect(all.map(\.at) == [30, 30, 20, 10, 5].map(TestAccounts.date))
        #expect(Set(all.map(\.id)).count == 5)
        let failed = try #require(all.first { $0.kind == .loginFailed })
        #expect(failed.actorID == nil)
        #expect(failed.subject == "mallory")
        #expect(failed.address == "198.51.100.30")
        #expect(all.last?.subject == nil)
        #expect(all.last?.actorID == ana.id)

        #expect(try await store.accounts.auditEvents(offset: 1, limit: 2) == Array(all[1..<3]))
        #expect(try await store.accounts.auditEvents(offset: 4, limit: 2) == [all[4]])
        #expect(try await store.accounts.auditEvents(offset: 5, limit: 2).isEmpty)
        #expect(try await store.accounts.auditEvents(offset: 0, limit: 0).isEmpty)
    }

    @Test func settingsAreSetReplacedAndRemoved() async throws {
        let store = try await TestAccounts()
        #expect(try await store.accounts.setting("setup_token_hash") == nil)
        try await store.accounts.setSetting("setup_token_hash", to: "first")
        try await store.accounts.setSetting("other", to: "kept")
        #expect(try await store.accounts.setting("setup_token_hash") == "first")
        try await store.accounts.setSetting("setup_token_hash", to: "second")
        #expect(try await store.accounts.setting("setup_token_hash") == "second")
        try await store.accounts.setSetting("setup_token_hash", to: nil)
        #expect(try await store.accounts.setting("setup_token_hash") == nil)
        #expect(try await store.accounts.setting("other") == "kept")
        // Removing what is not there is not an error.
        try await store.accounts.setSetting("missing", to: nil)
    }

    @Test func aSettingIsConsumedOnlyWhenItHoldsTheValue() async throws {
        let store = try await TestAccounts()
        try await store.accounts.setSetting("token", to: "abc")
        #expect(try await store.accounts.consumeSetting("token", ifEquals: "abd") == false)
        #expect(try await store.accounts.setting("token") == "abc")
        #expect(try await store.accounts.consumeSetting("token", ifEquals: "abc"))
        #expect(try await store.accounts.setting("token") == nil)
        #expect(try await store.accounts.consumeSetting("token", ifEquals: "abc") == false)
    }
}
