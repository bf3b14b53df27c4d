package sqlmeta

import (
	"context"
	"sync"
)

// groupMax caps the writes one group commit carries.
const groupMax = 256

// groupCommitter batches concurrent writes into one SQLite transaction
// (group commit). With synchronous=FULL every commit costs an fsync of the
// WAL, and SQLite has one writer, so N concurrent PutObjects used to cost N
// fsyncs in a row. Here a committer goroutine takes everything queued,
// runs each write in its own SAVEPOINT (a failing write is rolled back
// alone and gets its own error), commits once, and only then wakes the
// callers: no caller returns before its row is durable, exactly as with
// one transaction each. Writes queue while the previous batch commits, so
// batches grow with load and a lone write pays nothing extra but a
// goroutine hand-off.
type groupCommitter struct {
	s *Store

	mu     sync.Mutex
	queue  []*groupWrite
	closed bool
	kick   chan struct{} // capacity 1: "the queue is not empty"
	quit   chan struct{}
	done   chan struct{}
}

type groupWrite struct {
	ctx  context.Context
	fn   func(c conn) error
	err  error
	ok   bool // fn succeeded inside the batch (awaiting commit)
	done chan struct{}
}

func newGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// write runs fn in a transaction shared with concurrent writes and
// returns once that transaction committed (or fn failed). fn must be
// safe to run again: a batch that fails to commit is retried one write
// at a time. Errors are wrapped like Store.write's.
func (g *groupCommitter) write(ctx context.Context, op string, fn func(c conn) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return g.s.writeObjects(ctx, op, fn)
	}
	g.queue = append(g.queue, w)
	g.mu.Unlock()
	select {
	case g.kick <- struct{}{}:
	default:
	}
	<-w.done
	return g.s.fail(op, w.err)
}

func (g *groupCommitter) run() {
	defer close(g.done)
	for {
		select {
		case <-g.quit:
			g.drain()
			return
		case <-g.kick:
		}
		g.drain()
	}
}

// drain commits batches until the queue is empty.
func (g *groupCommitter) drain() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), groupMax)
		batch := make([]*groupWrite, n)
		copy(batch, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		if n == 0 {
			return
		}
		g.commit(batch)
	}
}

// commit runs one batch. Each write's fn runs between SAVEPOINT and
// RELEASE; a failing fn is rolled back to its savepoint and keeps its
// error. If the transaction itself fails (begin, a savepoint statement,
// commit), nothing of the batch is durable and every write that had
// succeeded runs again alone through Store.write, which reports its own
// outcome.
func (g *groupCommitter) commit(batch []*groupWrite) {
	s := g.s
	defer func() {
		s.cache.bump(true) // before any writer returns
		for _, w := range batch {
			close(w.done)
		}
	}()
	if len(batch) == 1 {
		w := batch[0]
		w.err = s.runTx(w.ctx, s.w, s.wStmts, nil, w.fn)
		return
	}
	ctx := context.Background() // callers' contexts are checked per write
	defer s.wStmts.prepare(ctx)
	alone := func() {
		for _, w := range batch {
			if w.ok || w.err == nil {
				w.ok, w.err = false, s.runTx(w.ctx, s.w, s.wStmts, nil, w.fn)
			}
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		alone()
		return
	}
	c := conn{ctx: ctx, d: s.d, stmts: s.wStmts, q: tx}
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT gw"); err != nil {
			tx.Rollback()
			alone()
			return
		}
		if err := w.fn(c); err != nil {
			w.err = err
			_, rerr := tx.ExecContext(ctx, "ROLLBACK TO gw")
			if rerr == nil {
				_, rerr = tx.ExecContext(ctx, "RELEASE gw")
			}
			if rerr != nil {
				tx.Rollback()
				w.err = nil // its fn runs again alone
				alone()
				return
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "RELEASE gw"); err != nil {
			tx.Rollback()
			alone()
			return
		}
		w.ok = true
	}
	if err := tx.Commit(); err != nil {
		alone()
		return
	}
	for _, w := range batch {
		w.ok = false
	}
}

// close stops the committer after the queued writes are done; later
// writes run alone.
func (g *groupCommitter) close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.quit)
	<-g.done
}
