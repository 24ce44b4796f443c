package dev.donjon.wasi.host;

/** WASI preview 1 constants (witx: typenames.witx of wasi_snapshot_preview1). */
public final class Wasi {
    private Wasi() {}

    public static final String MODULE = "wasi_snapshot_preview1";

    public static final int FILETYPE_UNKNOWN = 0,
            FILETYPE_BLOCK_DEVICE = 1,
            FILETYPE_CHARACTER_DEVICE = 2,
            FILETYPE_DIRECTORY = 3,
            FILETYPE_REGULAR_FILE = 4,
            FILETYPE_SOCKET_DGRAM = 5,
            FILETYPE_SOCKET_STREAM = 6,
            FILETYPE_SYMBOLIC_LINK = 7;
    public static final int FDFLAG_APPEND = 1,
            FDFLAG_DSYNC = 2,
            FDFLAG_NONBLOCK = 4,
            FDFLAG_RSYNC = 8,
            FDFLAG_SYNC = 16;
    public static final int OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8;
    public static final int LOOKUP_SYMLINK_FOLLOW = 1;
    public static final int FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8;
    public static final int WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2;
    public static final int CLOCK_REALTIME = 0,
            CLOCK_MONOTONIC = 1,
            CLOCK_PROCESS_CPUTIME = 2,
            CLOCK_THREAD_CPUTIME = 3;
    public static final int EVENTTYPE_CLOCK = 0, EVENTTYPE_FD_READ = 1, EVENTTYPE_FD_WRITE = 2;
    public static final int SUBCLOCK_ABSTIME = 1;
    public static final int EVENT_FD_READWRITE_HANGUP = 1;
    public static final int SDFLAGS_RD = 1, SDFLAGS_WR = 2;
    public static final int RIFLAGS_RECV_PEEK = 1, RIFLAGS_RECV_WAITALL = 2;
    public static final int ROFLAGS_RECV_DATA_TRUNCATED = 1;

    public static final long RIGHT_FD_DATASYNC = 1L,
            RIGHT_FD_READ = 1L << 1,
            RIGHT_FD_SEEK = 1L << 2,
            RIGHT_FD_FDSTAT_SET_FLAGS = 1L << 3,
            RIGHT_FD_SYNC = 1L << 4,
            RIGHT_FD_TELL = 1L << 5,
            RIGHT_FD_WRITE = 1L << 6,
            RIGHT_FD_ADVISE = 1L << 7,
            RIGHT_FD_ALLOCATE = 1L << 8,
            RIGHT_PATH_CREATE_DIRECTORY = 1L << 9,
            RIGHT_PATH_CREATE_FILE = 1L << 10,
            RIGHT_PATH_LINK_SOURCE = 1L << 11,
            RIGHT_PATH_LINK_TARGET = 1L << 12,
            RIGHT_PATH_OPEN = 1L << 13,
            RIGHT_FD_READDIR = 1L << 14,
            RIGHT_PATH_READLINK = 1L << 15,
            RIGHT_PATH_RENAME_SOURCE = 1L << 16,
            RIGHT_PATH_RENAME_TARGET = 1L << 17,
            RIGHT_PATH_FILESTAT_GET = 1L << 18,
            RIGHT_PATH_FILESTAT_SET_SIZE = 1L << 19,
            RIGHT_PATH_FILESTAT_SET_TIMES = 1L << 20,
            RIGHT_FD_FILESTAT_GET = 1L << 21,
            RIGHT_FD_FILESTAT_SET_SIZE = 1L << 22,
            RIGHT_FD_FILESTAT_SET_TIMES = 1L << 23,
            RIGHT_PATH_SYMLINK = 1L << 24,
            RIGHT_PATH_REMOVE_DIRECTORY = 1L << 25,
            RIGHT_PATH_UNLINK_FILE = 1L << 26,
            RIGHT_POLL_FD_READWRITE = 1L << 27,
            RIGHT_SOCK_SHUTDOWN = 1L << 28,
            RIGHT_SOCK_ACCEPT = 1L << 29;

    public static final long RIGHTS_ALL = (1L << 30) - 1;
    public static final long RIGHTS_FILE = RIGHT_FD_DATASYNC
            | RIGHT_FD_READ
            | RIGHT_FD_SEEK
            | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_SYNC
            | RIGHT_FD_TELL
            | RIGHT_FD_WRITE
            | RIGHT_FD_ADVISE
            | RIGHT_FD_ALLOCATE
            | RIGHT_FD_FILESTAT_GET
            | RIGHT_FD_FILESTAT_SET_SIZE
            | RIGHT_FD_FILESTAT_SET_TIMES
            | RIGHT_POLL_FD_READWRITE;
    public static final long RIGHTS_DIR = RIGHTS_ALL & ~RIGHTS_FILE
            | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_SYNC
            | RIGHT_FD_DATASYNC
            | RIGHT_FD_FILESTAT_GET
            | RIGHT_FD_FILESTAT_SET_TIMES
            | RIGHT_POLL_FD_READWRITE;
    public static final long RIGHTS_STDIO = RIGHT_FD_READ
            | RIGHT_FD_WRITE
            | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_FILESTAT_GET
            | RIGHT_POLL_FD_READWRITE;
    public static final long RIGHTS_STDIN = RIGHTS_STDIO & ~RIGHT_FD_WRITE;
    public static final long RIGHTS_STDOUT = RIGHTS_STDIO & ~RIGHT_FD_READ;
    public static final long RIGHTS_SOCKET = RIGHT_FD_READ
            | RIGHT_FD_WRITE
            | RIGHT_FD_FDSTAT_SET_FLAGS
            | RIGHT_FD_FILESTAT_GET
            | RIGHT_POLL_FD_READWRITE
            | RIGHT_SOCK_SHUTDOWN
            | RIGHT_SOCK_ACCEPT;
}
