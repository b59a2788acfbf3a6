import Synchronization

/// Writes that arrive while one is being written wait and go together in the next: group
/// commit. A caller alone writes at once, as before (a batch of one); under load each write
/// transaction takes everything that queued behind the one before, so the writer commits, and
/// sums the statistics rollups, once for many. The caller that finds no write under way leads:
/// it writes its batch, answers the callers it took, and hands the lead to the first caller
/// that queued meanwhile, which writes the next batch. The write itself runs in a task of its
/// own, so no caller's cancellation reaches the others' writes.
final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch; one result for each input, in order.
    typealias Write = @Sendable ([Input]) async -> [Result<Output, any Error>]

    private struct Waiter {
        var input: Input
        var continuation: CheckedContinuation<Output, any Error>
    }
    private struct State {
        var writing = false
        var waiting: [Waiter] = []
        var batches = 0
        var written = 0
        var queued = 0
    }
    /// What a waiting caller is resumed with when the lead passes to it.
    private struct TakeTheLead: Error {}
    /// A batch's write gave fewer results than inputs (a bug in `write`, never a caller's doing).
    struct MissingResult: Error {}

    private let state = Mutex(State())
    private let write: Write

    init(write: @escaping Write) {
        self.write = write
    }

    /// The batches written so far, and the inputs in them.
    var figures: (batches: Int, inputs: Int) { state.withLock { ($0.batches, $0.written) } }

    /// Inputs handed in and not answered yet (in the batch being written, or waiting for the next).
    var queued: Int { state.withLock { $0.queued } }

    /// Writes `input`, alone or with others that arrive meanwhile; returns or throws its own result.
    func submit(_ input: Input) async throws -> Output {
        let leads = state.withLock { state in
            state.queued += 1
            if state.writing { return false }
            state.writing = true
            return true
        }
        if leads { return try await lead(input) }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let leadsNow = state.withLock { state in
                    // The write under way may have finished since the first look.
                    if !state.writing {
                        state.writing = true
                        return true
                    }
                    state.waiting.append(Waiter(input: input, continuation: continuation))
                    return false
                }
                if leadsNow { continuation.resume(throwing: TakeTheLead()) }
            }
        } catch is TakeTheLead {
            return try await lead(input)
        }
    }

    /// Writes `input` with every caller waiting now, answers them, and passes the lead on.
    private func lead(_ input: Input) async throws -> Output {
        let taken = state.withLock { state in
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        // In a task of its own: the batch holds other callers' inputs, and a cancelled leader
        // (a client gone) must not cancel their writes (GRDB stops a cancelled task's access).
        let inputs = [input] + taken.map(\.input)
        let results = await Task { [write] in await write(inputs) }.value
        for (index, waiter) in taken.enumerated() {
            waiter.continuation.resume(
                with: index + 1 < results.count ? results[index + 1] : .failure(MissingResult()))
        }
        let next = state.withLock { state -> Waiter? in
            state.batches += 1
            state.written += 1 + taken.count
            state.queued -= 1 + taken.count
            if state.waiting.isEmpty {
                state.writing = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(throwing: TakeTheLead())
        guard let own = results.first else { throw MissingResult() }
        return try own.get()
    }
}
