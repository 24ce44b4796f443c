package dev.donjon.wasi.host;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** WASI preview 1 errno values, and the mapping from Java I/O failures to them. */
public final class Errno {
    private Errno() {}

    public static final int SUCCESS = 0,
            TOOBIG = 1,
            ACCES = 2,
            ADDRINUSE = 3,
            AGAIN = 6,
            BADF = 8,
            BUSY = 10,
            CONNABORTED = 13,
            CONNREFUSED = 14,
            CONNRESET = 15,
            DQUOT = 19,
            EXIST = 20,
            FAULT = 21,
            FBIG = 22,
            ILSEQ = 25,
            INTR = 27,
            INVAL = 28,
            IO = 29,
            ISDIR = 31,
            LOOP = 32,
            MFILE = 33,
            MLINK = 34,
            NAMETOOLONG = 37,
            NFILE = 41,
            NODEV = 43,
            NOENT = 44,
            NOMEM = 48,
            NOSPC = 51,
            NOSYS = 52,
            NOTCONN = 53,
            NOTDIR = 54,
            NOTEMPTY = 55,
            NOTSOCK = 57,
            NOTSUP = 58,
            NOTTY = 59,
            NXIO = 60,
            OVERFLOW = 61,
            PERM = 63,
            PIPE = 64,
            ROFS = 69,
            SPIPE = 70,
            STALE = 72,
            TIMEDOUT = 73,
            TXTBSY = 74,
            XDEV = 75,
            NOTCAPABLE = 76;

    /** A WASI call failing with an errno; cheap (no stack trace), it is control flow. */
    public static final class Failure extends RuntimeException {
        public final int errno;

        public Failure(int errno) {
            super("errno " + errno, null, false, false);
            this.errno = errno;
        }
    }

    public static Failure fail(int errno) {
        return new Failure(errno);
    }

    public static int of(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> NOENT;
            case FileAlreadyExistsException x -> EXIST;
            case DirectoryNotEmptyException x -> NOTEMPTY;
            case NotDirectoryException x -> NOTDIR;
            case AccessDeniedException x -> ACCES;
            case FileSystemLoopException x -> LOOP;
            case NotLinkException x -> INVAL;
            case ClosedChannelException x -> BADF;
            // A failed TLS handshake or record: the host aborted this connection.
            case javax.net.ssl.SSLException x -> CONNABORTED;
            case FileSystemException x -> ofReason(x.getReason());
            default -> ofReason(e.getMessage());
        };
    }

    /** A Linux errno (x86-64 and arm64 share them) as WASI's; {@link #IO} for the few WASI has no name for. */
    public static int ofLinux(int errno) {
        return switch (errno) {
            case 1 -> PERM;
            case 2 -> NOENT;
            case 4 -> INTR;
            case 6 -> NXIO;
            case 7 -> TOOBIG;
            case 9 -> BADF;
            case 11 -> AGAIN;
            case 12 -> NOMEM;
            case 13 -> ACCES;
            case 16 -> BUSY;
            case 17 -> EXIST;
            case 18 -> XDEV;
            case 19 -> NODEV;
            case 20 -> NOTDIR;
            case 21 -> ISDIR;
            case 22 -> INVAL;
            case 23 -> NFILE;
            case 24 -> MFILE;
            case 25 -> NOTTY;
            case 26 -> TXTBSY;
            case 27 -> FBIG;
            case 28 -> NOSPC;
            case 29 -> SPIPE;
            case 30 -> ROFS;
            case 31 -> MLINK;
            case 32 -> PIPE;
            case 36 -> NAMETOOLONG;
            case 38 -> NOSYS;
            case 39 -> NOTEMPTY;
            case 40 -> LOOP;
            case 75 -> OVERFLOW;
            case 95 -> NOTSUP;
            case 116 -> STALE;
            case 122 -> DQUOT;
            default -> IO;
        };
    }

    public static int of(RuntimeException e) {
        return e instanceof NotYetConnectedException ? NOTCONN : IO;
    }

    private static int ofReason(String reason) {
        if (reason == null) return IO;
        if (reason.contains("Is a directory")) return ISDIR;
        if (reason.contains("Not a directory")) return NOTDIR;
        if (reason.contains("Too many levels of symbolic links")) return LOOP;
        if (reason.contains("Directory not empty")) return NOTEMPTY;
        if (reason.contains("File exists")) return EXIST;
        if (reason.contains("No such file")) return NOENT;
        if (reason.contains("Invalid argument")) return INVAL;
        if (reason.contains("Operation not permitted")) return PERM;
        if (reason.contains("Permission denied")) return ACCES;
        if (reason.contains("Too many links")) return MLINK;
        if (reason.contains("File name too long")) return NAMETOOLONG;
        if (reason.contains("No space left")) return NOSPC;
        if (reason.contains("File too large")) return FBIG;
        if (reason.contains("Too many open files")) return NFILE;
        if (reason.contains("Connection reset")) return CONNRESET;
        if (reason.contains("Broken pipe")) return PIPE;
        if (reason.contains("Cross-device")) return XDEV;
        return IO;
    }
}
