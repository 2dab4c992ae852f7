package dev.cosyvoice4j.server;

import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.Session;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Engine sessions for the admitted requests: one per synthesis slot, made on first use and reused so their KV caches
 * and workspaces are allocated once, not per request. A request holds a slot before it takes a session, so the pool
 * never runs dry; a session comes back only after its synthesis has ended.
 */
final class SessionPool implements AutoCloseable {
    private final Engine engine;
    private final Deque<Session> idle = new ArrayDeque<>();
    private boolean closed;
    private int open;

    SessionPool(Engine engine) { this.engine = engine; }

    synchronized Session take() {
        if (closed) throw new IllegalStateException("server is shutting down");
        Session s = idle.pollFirst();
        if (s != null) return s;
        s = engine.openSession();
        open++;
        return s;
    }

    synchronized void give(Session s) {
        if (closed) {
            s.close();
            open--;
        } else {
            idle.addFirst(s);
        }
    }

    /** Sessions alive, in use or idle (a gauge: never more than the synthesis slots). */
    synchronized int open() { return open; }

    /** Sessions idle in the pool (a gauge: equal to {@link #open} when nothing runs). */
    synchronized int idle() { return idle.size(); }

    @Override
    public synchronized void close() {
        closed = true;
        idle.forEach(Session::close);
        open -= idle.size();
        idle.clear();
    }
}
