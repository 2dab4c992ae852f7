package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body handler of one download request: a 200 or 206 body goes to the {@link Receiver} as it arrives (a 200 to a
 * Range request means the server sends the whole file: the receiver starts over); any other body is discarded. It
 * records when data last came, so that a stalled transfer can be aborted.
 */
final class BodyReceiver implements HttpResponse.BodyHandler<Void> {
    /** Where the bytes go: the partial file. */
    interface Receiver {
        /** Bytes already held, asked for again from here on. */
        long offset();

        /** Drops what is held: the server is sending the file from its start. */
        void restart() throws IOException;

        void accept(ByteBuffer data) throws IOException;
    }

    /** Writing the received bytes failed (disk full...): not a network problem, not worth a retry. */
    static final class LocalWriteFailure extends RuntimeException {
        LocalWriteFailure(IOException cause) { super(cause); }
    }

    private final Receiver receiver;
    private volatile Stream stream;

    BodyReceiver(Receiver receiver) { this.receiver = receiver; }

    @Override
    public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
        int s = info.statusCode();
        if (s != 200 && s != 206) return HttpResponse.BodySubscribers.replacing(null);
        Stream st = new Stream();
        stream = st;
        try {
            if (s == 200 && receiver.offset() > 0) receiver.restart();
            if (s == 206 && contentRangeStart(info.headers()) != receiver.offset()) {
                throw new HubException(HubException.Kind.BAD_RESPONSE, "the server answered a request for bytes from "
                        + receiver.offset() + " with " + info.headers().firstValue("Content-Range").orElse("no Content-Range"));
            }
        } catch (IOException e) {
            st.abort(new LocalWriteFailure(e));
        } catch (HubException e) {
            st.abort(e);
        }
        return st;
    }

    /** Nanoseconds since the last data of the body; 0 before the headers (the request's own timeout covers those). */
    long stalledFor() {
        Stream st = stream;
        return st == null ? 0 : System.nanoTime() - st.lastDataNanos;
    }

    void abort(Throwable why) {
        Stream st = stream;
        if (st != null) st.abort(why);
    }

    private static long contentRangeStart(HttpHeaders h) {
        String v = h.firstValue("Content-Range").orElse("");        // bytes 100-199/200
        try {
            return Long.parseLong(v.substring(v.indexOf(' ') + 1, v.indexOf('-')).trim());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private final class Stream implements HttpResponse.BodySubscriber<Void> {
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        volatile long lastDataNanos = System.nanoTime();

        @Override
        public CompletionStage<Void> getBody() { return body; }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (body.isDone()) s.cancel();
            else s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) return;
            try {
                for (ByteBuffer b : items) receiver.accept(b);
                lastDataNanos = System.nanoTime();
                subscription.request(1);
            } catch (IOException e) {
                abort(new LocalWriteFailure(e));
            } catch (RuntimeException e) {
                abort(e);
            }
        }

        @Override
        public void onError(Throwable t) { body.completeExceptionally(t); }

        @Override
        public void onComplete() { body.complete(null); }

        void abort(Throwable why) {
            if (body.completeExceptionally(why)) {
                Flow.Subscription s = subscription;
                if (s != null) s.cancel();
            }
        }
    }
}
