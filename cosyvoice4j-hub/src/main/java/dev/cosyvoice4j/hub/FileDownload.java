package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One file into a cache: under its lock, into a partial file that survives interruptions (the next attempt, or the
 * next run, asks for the rest with a Range request), checked against the size and checksum the hub listed, and only
 * then renamed to its final name. A file that fails its checksum is deleted, never kept.
 */
final class FileDownload {
    /** Where a file goes: {@code destination} when complete, {@code partial} while arriving, {@code lock} guards both. */
    record Target(Path destination, Path partial, Path lock) {}

    /** Runs under the lock once the destination exists (e.g. the snapshot's symlink to a blob). */
    interface Finish {
        void run() throws IOException;
    }

    private FileDownload() {}

    /** Fetches {@code file} from {@code url} unless its destination exists; true when bytes were downloaded. */
    static boolean fetch(Http http, URI url, String token, RepoFile file, Target target, int retries, PullListener listener,
                         Finish finish) {
        try {
            Files.createDirectories(target.destination().getParent());
            Files.createDirectories(target.partial().getParent());
            try (BlobLock ignored = BlobLock.acquire(target.lock())) {
                boolean downloaded = false;
                if (!Files.exists(target.destination())) {
                    transfer(http, url, token, file, target, retries, listener);
                    downloaded = true;
                }
                finish.run();
                listener.finished(file);
                return downloaded;
            }
        } catch (IOException e) {
            throw new HubException(HubException.Kind.LOCAL_IO, "cannot write " + file.path() + " into the cache ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", false, e);
        }
    }

    private static void transfer(Http http, URI url, String token, RepoFile file, Target target, int retries,
                                 PullListener listener) throws IOException {
        Checksum checksum = Checksum.of(file);
        try (FileChannel ch = FileChannel.open(target.partial(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            Partial partial = new Partial(ch, checksum, file, listener);
            listener.started(file, partial.offset());
            for (int attempt = 0; ; attempt++) {
                // a client per attempt: closing it drops a stalled connection, which the JDK's client would
                // otherwise keep (draining it) and hand to the retry
                try (Http attemptHttp = http.fresh()) {
                    if (partial.offset() < file.size()) attemptHttp.download(url, token, partial);
                    if (partial.offset() < file.size()) {
                        throw new HubException(HubException.Kind.NETWORK, "GET " + url + ": the transfer ended after "
                                + partial.offset() + " of " + file.size() + " bytes", true, null);
                    }
                    break;
                } catch (HubException e) {
                    if (!e.isTransient() || attempt >= retries) throw e;
                    listener.retrying(file, attempt + 1, e.getMessage());
                    http.backoff(attempt);
                }
            }
        }
        String problem = null;
        long size = Files.size(target.partial());
        if (size != file.size()) {
            problem = "received " + size + " bytes, the hub lists " + file.size();
        } else if (checksum.expected() != null) {
            String actual = checksum.actual();
            if (!actual.equals(checksum.expected())) problem = checksum.label() + " is " + actual + ", the hub lists " + checksum.expected();
        }
        if (problem != null) {
            Files.deleteIfExists(target.partial());
            throw new HubException(HubException.Kind.CORRUPT, file.path() + " from " + url + " is corrupt: " + problem
                    + ". The download was deleted; nothing of it was kept. Pull again; if it fails again, the server "
                    + "sends a bad copy.");
        }
        try {
            Files.move(target.partial(), target.destination(), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(target.partial(), target.destination(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The partial file: appends what arrives and keeps the checksum of everything in it up to date. */
    private static final class Partial implements BodyReceiver.Receiver {
        private final FileChannel ch;
        private final Checksum checksum;
        private final RepoFile file;
        private final PullListener listener;

        Partial(FileChannel ch, Checksum checksum, RepoFile file, PullListener listener) throws IOException {
            this.ch = ch;
            this.checksum = checksum;
            this.file = file;
            this.listener = listener;
            if (ch.size() > file.size()) ch.truncate(0);          // not a prefix of this file: start over
            hashPrefix();
            ch.position(ch.size());
        }

        private void hashPrefix() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0, end = ch.size();
            while (pos < end) {
                buf.clear();
                int n = ch.read(buf, pos);
                if (n < 0) break;
                buf.flip();
                checksum.update(buf);
                pos += n;
            }
        }

        @Override
        public long offset() {
            try {
                return ch.position();
            } catch (IOException e) {
                throw new BodyReceiver.LocalWriteFailure(e);
            }
        }

        @Override
        public void restart() throws IOException {
            ch.truncate(0);
            ch.position(0);
            checksum.reset();
            listener.restarted(file);
        }

        @Override
        public void accept(ByteBuffer data) throws IOException {
            int n = data.remaining();
            checksum.update(data.duplicate());
            while (data.hasRemaining()) ch.write(data);
            listener.received(file, n);
        }
    }
}
