import CantoCore
import GRDB
import Synchronization

/// Decides whether a statement may run for a plugin: it may reach only tables named
/// `<plugin id>_…` in the main database.
///
/// Schema statements (allowed in migrations only) are read token by token: `CREATE TABLE`,
/// `CREATE [UNIQUE] INDEX … ON`, `DROP TABLE|INDEX`, `ALTER TABLE`, each naming the plugin's own
/// tables (and only its own tables after `REFERENCES`). Everything else must be a query or a data
/// change, and SQLite itself says what it touches: the statement's `EXPLAIN` program opens each
/// table and index it reads or writes by root page, and every root page must belong to one of
/// the plugin's tables. `PRAGMA`, `ATTACH`, `VACUUM`, transaction statements, triggers, views,
/// virtual tables and `AUTOINCREMENT` (which writes the shared `sqlite_sequence`) are refused.
struct PluginSQLGuard: Sendable {
    let pluginID: String
    /// Data statements checked before; nil checks every statement afresh.
    var approved: ApprovedStatements? = nil
    var prefix: String { pluginID.lowercased() + "_" }

    /// What a checked statement is.
    enum Kind { case schema, data }

    /// Checks one statement; `schemaAllowed` in migrations. Returns its kind.
    @discardableResult
    func check(_ sql: String, arguments: StatementArguments, in db: Database, schemaAllowed: Bool) throws -> Kind {
        // A text approved whole before (its tokens and its program) under this schema is approved
        // again without reading it: a plugin sends the same few statements at every event.
        var schema: Int?
        if let approved {
            let version = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA schema_version")) ?? -1
            if approved.contains(sql, schema: version) { return .data }
            schema = version
        }
        let tokens = try Self.tokens(sql, refuse: refuse)
        guard let first = tokens.first else { throw refuse("an empty statement") }
        if let end = tokens.firstIndex(where: { $0.isSymbol(";") }), end < tokens.count - 1 {
            throw refuse("one statement at a time")
        }
        switch first.upper {
        case "CREATE", "DROP", "ALTER":
            guard schemaAllowed else { throw refuse("schema changes belong in the descriptor's migrations") }
            try checkSchema(tokens)
            return .schema
        case "SELECT", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE", "VALUES":
            try checkProgram(sql, arguments: arguments, in: db, schema: schema)
            return .data
        default:
            throw refuse("\(first.text) statements are not for plugins")
        }
    }

    // MARK: - Schema statements

    private func checkSchema(_ tokens: [Token]) throws {
        var reader = TokenReader(tokens: tokens)
        let verb = reader.next()?.upper ?? ""
        switch verb {
        case "CREATE":
            if reader.peek()?.upper == "UNIQUE" { reader.skip() }
            let object = reader.next()?.upper ?? ""
            switch object {
            case "TABLE":
                reader.skip(["IF", "NOT", "EXISTS"])
                try own(try reader.name(refuse: refuse), "table")
                if reader.peek()?.upper == "AS" { throw refuse("CREATE TABLE … AS SELECT") }
                if tokens.contains(where: { $0.upper == "AUTOINCREMENT" }) {
                    throw refuse("AUTOINCREMENT writes the shared sqlite_sequence; INTEGER PRIMARY KEY numbers rows")
                }
            case "INDEX":
                reader.skip(["IF", "NOT", "EXISTS"])
                try own(try reader.name(refuse: refuse), "index")
                guard reader.next()?.upper == "ON" else { throw refuse("CREATE INDEX without ON") }
                try own(try reader.name(refuse: refuse), "table")
            default:
                throw refuse("CREATE \(object) (only tables and indexes)")
            }
        case "DROP":
            let object = reader.next()?.upper ?? ""
            guard object == "TABLE" || object == "INDEX" else { throw refuse("DROP \(object)") }
            reader.skip(["IF", "EXISTS"])
            try own(try reader.name(refuse: refuse), object.lowercased())
        default:  // ALTER
            guard reader.next()?.upper == "TABLE" else { throw refuse("ALTER without TABLE") }
            try own(try reader.name(refuse: refuse), "table")
            if reader.peek()?.upper == "RENAME", reader.peek(1)?.upper == "TO" {
                reader.skip(2)
                try own(try reader.name(refuse: refuse), "table")
            }
        }
        // Foreign keys only to the plugin's own tables.
        for (index, token) in tokens.enumerated() where token.upper == "REFERENCES" {
            var rest = TokenReader(tokens: Array(tokens[(index + 1)...]))
            try own(try rest.name(refuse: refuse), "table")
        }
    }

    private func own(_ name: String, _ what: String) throws {
        guard name.lowercased().hasPrefix(prefix), name.count > prefix.count else {
            throw refuse("the \(what) \(name) is not the plugin's (its names start with \(prefix))")
        }
    }

    // MARK: - Queries and data changes

    /// Opcodes that reach beyond plain tables: virtual tables, schema changes, triggers'
    /// programs, maintenance.
    private static let refusedOpcodes: Set<String> = [
        "VOpen", "VUpdate", "VCreate", "VDestroy", "VFilter", "VBegin", "VRename", "ParseSchema", "CreateBtree",
        "Destroy", "SqlExec", "Vacuum", "IncrVacuum", "DropTable", "DropIndex", "DropTrigger", "IntegrityCk",
        "JournalMode", "Checkpoint", "Program", "LoadAnalysis",
    ]
    /// Opcodes whose P2 is the root page of a table or index in database P3.
    private static let openingOpcodes: Set<String> = ["OpenRead", "OpenWrite", "ReopenIdx"]

    /// Whether `sql` was approved before this check (its statement may then be kept prepared).
    func approvedBefore(_ sql: String) -> Bool { approved?.seen(sql) == true }

    private func checkProgram(_ sql: String, arguments: StatementArguments, in db: Database, schema: Int?) throws {
        // What a statement's program opens depends on its text and the schema (root pages), not
        // on the values bound: a text approved under the same schema version stays approved.
        // (Every schema change, VACUUM included, moves the schema version.)
        let schema = try schema ?? Int.fetchOne(db.cachedStatement(sql: "PRAGMA schema_version")) ?? -1
        if approved?.contains(sql, schema: schema) == true { return }
        try checkProgramAfresh(sql, arguments: arguments, in: db)
        approved?.insert(sql, schema: schema)
    }

    private func checkProgramAfresh(_ sql: String, arguments: StatementArguments, in db: Database) throws {
        var pages: Set<Int64> = []
        for row in try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: arguments) {
            let opcode: String = try row.decode(String.self, atIndex: 1)
            if Self.refusedOpcodes.contains(opcode) {
                throw refuse("it reaches beyond the plugin's tables (\(opcode))")
            }
            let page: Int64
            if Self.openingOpcodes.contains(opcode) {
                guard try row.decode(Int64.self, atIndex: 4) == 0 else { throw refuse("another database") }
                page = try row.decode(Int64.self, atIndex: 3)
            } else if opcode == "Clear" {
                guard try row.decode(Int64.self, atIndex: 3) == 0 else { throw refuse("another database") }
                page = try row.decode(Int64.self, atIndex: 2)
            } else {
                continue
            }
            pages.insert(page)
        }
        guard !pages.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: pages.count).joined(separator: ",")
        let owners = try Row.fetchAll(
            db, sql: "SELECT rootpage, tbl_name FROM sqlite_schema WHERE rootpage IN (\(placeholders))",
            arguments: StatementArguments(Array(pages)))
        var known: [Int64: String] = [:]
        for row in owners { known[try row.decode(Int64.self, atIndex: 0)] = try row.decode(String.self, atIndex: 1) }
        for page in pages.sorted() {
            guard let table = known[page] else { throw refuse("it reaches the database's own structures") }
            try own(table, "table")
        }
    }

    private func refuse(_ reason: String) -> PluginSQLRefused {
        PluginSQLRefused(pluginID: pluginID, reason: reason)
    }

    // MARK: - Tokens

    struct Token: Equatable {
        enum Kind { case word, quoted, string, number, symbol }
        var kind: Kind
        var text: String
        /// A bare word in capitals, for keywords; nothing else is a keyword.
        var upper: String { kind == .word ? text.uppercased() : "" }
        func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
    }

    /// SQLite's lexical rules, as far as telling keywords, names, strings and comments apart needs.
    static func tokens(_ sql: String, refuse: (String) -> PluginSQLRefused) throws -> [Token] {
        let scalars = Array(sql.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || scalar.value > 0x7F
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
            } else if scalar == "-", index + 1 < scalars.count, scalars[index + 1] == "-" {
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            } else if scalar == "/", index + 1 < scalars.count, scalars[index + 1] == "*" {
                index += 2
                while index < scalars.count,
                    !(scalars[index] == "*" && index + 1 < scalars.count
                        && scalars[index + 1] == "/")
                {
                    index += 1
                }
                index += 2
            } else if scalar == "'" || scalar == "\"" || scalar == "`" || scalar == "[" {
                let close: Unicode.Scalar = scalar == "[" ? "]" : scalar
                var text = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == close {
                        if close != "]", index + 1 < scalars.count, scalars[index + 1] == close {
                            text.append(close)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    text.append(scalars[index])
                    index += 1
                }
                guard closed else { throw refuse("an unterminated quote") }
                tokens.append(Token(kind: scalar == "'" ? .string : .quoted, text: String(text)))
            } else if isWordScalar(scalar) {
                var text = String.UnicodeScalarView()
                while index < scalars.count, isWordScalar(scalars[index]) {
                    text.append(scalars[index])
                    index += 1
                }
                let word = String(text)
                let isNumber = word.first.map { ("0"..."9").contains($0) } ?? false
                tokens.append(Token(kind: isNumber ? .number : .word, text: word))
            } else {
                tokens.append(Token(kind: .symbol, text: String(scalar)))
                index += 1
            }
        }
        return tokens
    }

    /// Reads tokens left to right.
    struct TokenReader {
        var tokens: [Token]
        var position = 0

        func peek(_ ahead: Int = 0) -> Token? {
            position + ahead < tokens.count ? tokens[position + ahead] : nil
        }
        mutating func next() -> Token? {
            defer { position += 1 }
            return peek()
        }
        mutating func skip(_ count: Int = 1) { position += count }
        /// Skips these keywords, in order, where they are.
        mutating func skip(_ keywords: [String]) {
            for keyword in keywords where peek()?.upper == keyword { skip() }
        }
        /// A table or index name, `main.`-qualified or not (another schema is refused).
        mutating func name(refuse: (String) -> PluginSQLRefused) throws -> String {
            guard let first = next(), first.kind == .word || first.kind == .quoted else {
                throw refuse("a name is missing")
            }
            guard peek()?.isSymbol(".") == true else { return first.text }
            guard first.text.lowercased() == "main" else { throw refuse("the schema \(first.text)") }
            skip()
            guard let second = next(), second.kind == .word || second.kind == .quoted else {
                throw refuse("a name is missing")
            }
            return second.text
        }
    }
}

/// Statement texts a plugin's guard approved, each with the schema version it was checked
/// against; at most `capacity` (a plugin that builds texts on the fly starts again when full).
final class ApprovedStatements: Sendable {
    static let capacity = 512
    private let texts = Mutex<[String: Int]>([:])

    func contains(_ sql: String, schema: Int) -> Bool {
        texts.withLock { $0[sql] == schema }
    }

    /// Approved under some schema (this check may have been its first under the current one).
    func seen(_ sql: String) -> Bool {
        texts.withLock { $0[sql] != nil }
    }

    func insert(_ sql: String, schema: Int) {
        texts.withLock { texts in
            if texts.count >= Self.capacity { texts.removeAll(keepingCapacity: true) }
            texts[sql] = schema
        }
    }
}
