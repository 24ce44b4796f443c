// rot13-as: the ROT13 server of examples/rot13, written in AssemblyScript against the raw
// WASI preview 1 socket calls (sock_accept / sock_recv / sock_send / sock_shutdown /
// poll_oneoff), with no libc and no shim. For every line a client sends it replies with
// the line and then its ROT13; a last line without newline is answered (each with "\n"
// added) when the client shuts down its side. Many concurrent clients.
//
// The Keep pre-opens the listening socket from Enarx.toml; we find its fd by the name
// "ROT13" in FD_NAMES (else fd 3, Enarx's convention).

@external("wasi_snapshot_preview1", "environ_sizes_get")
declare function environ_sizes_get(count: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_get")
declare function environ_get(environ: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): i32;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags")
declare function fd_fdstat_set_flags(fd: u32, flags: u16): i32;
@external("wasi_snapshot_preview1", "poll_oneoff")
declare function poll_oneoff(subs: usize, events: usize, nsubs: usize, nevents: usize): i32;
@external("wasi_snapshot_preview1", "sock_accept")
declare function sock_accept(fd: u32, flags: u16, newFd: usize): i32;
@external("wasi_snapshot_preview1", "sock_recv")
declare function sock_recv(fd: u32, iovs: usize, iovsLen: usize, riFlags: u16, nread: usize, roFlags: usize): i32;
@external("wasi_snapshot_preview1", "sock_send")
declare function sock_send(fd: u32, iovs: usize, iovsLen: usize, siFlags: u16, nsent: usize): i32;
@external("wasi_snapshot_preview1", "sock_shutdown")
declare function sock_shutdown(fd: u32, how: u8): i32;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

const ERRNO_AGAIN: i32 = 6;
const ERRNO_INTR: i32 = 27;
const ERRNO_MFILE: i32 = 33;
const ERRNO_NFILE: i32 = 41;
const FDFLAGS_NONBLOCK: u16 = 4;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SDFLAGS_RD_WR: u8 = 3;
const SUBSCRIPTION_SIZE: usize = 48;
const EVENT_SIZE: usize = 32;
const LISTENER: u64 = 0xffffffffffffffff;
const READ_CHUNK: usize = 16384;
const MAX_LINE: usize = 65536;
const OUT_HIGH_WATER: usize = 1 << 20;

// Scratch space for the calls' out-parameters.
const iov = memory.data(8);
const outU32 = memory.data(4);
const outU16 = memory.data(4);
const NEWLINE = memory.data<u8>([0x0a]);

function write(fd: u32, s: string): void {
  const b = String.UTF8.encode(s);
  store<u32>(iov, <u32>changetype<usize>(b));
  store<u32>(iov, <u32>b.byteLength, 4);
  fd_write(fd, iov, 1, outU32);
}

// A growable byte buffer on the raw heap (explicitly freed when its connection closes).
class ByteBuf {
  ptr: usize = 0;
  off: usize = 0; // bytes before off are consumed
  len: usize = 0;
  cap: usize = 0;

  reserve(n: usize): void {
    if (this.len + n <= this.cap) return;
    if (this.off > 0) this.compact();
    if (this.len + n <= this.cap) return;
    let c: usize = this.cap > 0 ? this.cap * 2 : 1024;
    while (c < this.len + n) c *= 2;
    this.ptr = this.ptr != 0 ? heap.realloc(this.ptr, c) : heap.alloc(c);
    this.cap = c;
  }
  compact(): void {
    memory.copy(this.ptr, this.ptr + this.off, this.len - this.off);
    this.len -= this.off;
    this.off = 0;
  }
  append(p: usize, n: usize): void {
    this.reserve(n);
    memory.copy(this.ptr + this.len, p, n);
    this.len += n;
  }
  pending(): usize {
    return this.len - this.off;
  }
  free(): void {
    if (this.ptr != 0) heap.free(this.ptr);
    this.ptr = 0;
    this.off = this.len = this.cap = 0;
  }
}

class Conn {
  input: ByteBuf = new ByteBuf();
  output: ByteBuf = new ByteBuf();
  peerEof: bool = false;
  dead: bool = false;
  constructor(public fd: u32) {}
}

// Appends the line and its ROT13 to c's output; adds a newline after each if the line has none.
function reply(c: Conn, p: usize, n: usize, hasNewline: bool): void {
  const out = c.output;
  out.reserve(2 * n + 2);
  out.append(p, n);
  if (!hasNewline) out.append(changetype<usize>(NEWLINE), 1);
  const dst = out.ptr + out.len;
  for (let i: usize = 0; i < n; i++) {
    let ch = load<u8>(p + i);
    if (ch >= 0x61 && ch <= 0x7a) ch = <u8>(0x61 + (ch - 0x61 + 13) % 26);
    else if (ch >= 0x41 && ch <= 0x5a) ch = <u8>(0x41 + (ch - 0x41 + 13) % 26);
    store<u8>(dst + i, ch);
  }
  out.len += n;
  if (!hasNewline) out.append(changetype<usize>(NEWLINE), 1);
}

function handleLines(c: Conn): void {
  const inb = c.input;
  let start = inb.off;
  for (let i = inb.off; i < inb.len; i++) {
    if (load<u8>(inb.ptr + i) == 0x0a) {
      reply(c, inb.ptr + start, i + 1 - start, true);
      start = i + 1;
    } else if (i + 1 - start >= MAX_LINE) {
      reply(c, inb.ptr + start, i + 1 - start, false);
      start = i + 1;
    }
  }
  inb.off = start;
  if (inb.off == inb.len) inb.off = inb.len = 0;
}

function receive(c: Conn): void {
  const inb = c.input;
  inb.reserve(READ_CHUNK);
  store<u32>(iov, <u32>(inb.ptr + inb.len));
  store<u32>(iov, <u32>(inb.cap - inb.len), 4);
  const err = sock_recv(c.fd, iov, 1, 0, outU32, outU16);
  if (err == ERRNO_AGAIN || err == ERRNO_INTR) return;
  if (err != 0) {
    c.dead = true;
    return;
  }
  const n = load<u32>(outU32);
  if (n == 0) {
    c.peerEof = true;
    if (inb.pending() > 0) reply(c, inb.ptr + inb.off, inb.pending(), false);
    inb.off = inb.len = 0;
    return;
  }
  inb.len += n;
  handleLines(c);
}

function flush(c: Conn): void {
  const out = c.output;
  while (!c.dead && out.pending() > 0) {
    store<u32>(iov, <u32>(out.ptr + out.off));
    store<u32>(iov, <u32>out.pending(), 4);
    const err = sock_send(c.fd, iov, 1, 0, outU32);
    if (err == ERRNO_AGAIN) return;
    if (err == ERRNO_INTR) continue;
    if (err != 0) {
      c.dead = true;
      return;
    }
    out.off += load<u32>(outU32);
  }
  if (out.pending() == 0) out.off = out.len = 0;
}

function findListenFd(name: string): u32 {
  environ_sizes_get(outU32, outU32 + 4);
  const count = load<u32>(outU32);
  const size = load<u32>(outU32, 4);
  const ptrs = heap.alloc(count * 4);
  const buf = heap.alloc(size + 1);
  environ_get(ptrs, buf);
  let fdCount = -1;
  let fd: i32 = -1;
  for (let i: u32 = 0; i < count; i++) {
    const entry = String.UTF8.decodeUnsafe(load<u32>(ptrs + i * 4), cstrlen(load<u32>(ptrs + i * 4)));
    if (entry.startsWith("FD_COUNT=")) fdCount = I32.parseInt(entry.substring(9));
    if (entry.startsWith("FD_NAMES=")) fd = entry.substring(9).split(":").indexOf(name);
  }
  heap.free(ptrs);
  heap.free(buf);
  if (fdCount < 4) {
    write(2, "rot13-as: no pre-opened listening socket (FD_COUNT < 4); run it with its Enarx.toml, " +
      "which declares a [[files]] entry of kind \"listen\" named \"" + name + "\"\n");
    proc_exit(1);
  }
  return fd >= 0 ? <u32>fd : 3;
}

function cstrlen(p: usize): usize {
  let n: usize = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

function setSubscription(at: usize, userdata: u64, type: u8, fd: u32): void {
  memory.fill(at, 0, SUBSCRIPTION_SIZE);
  store<u64>(at, userdata);
  store<u8>(at, type, 8);
  store<u32>(at, fd, 16);
}

// Out of fds the listener stays readable: stop polling it until a connection closes.
let acceptPaused = false;

function acceptAll(listenFd: u32, conns: Array<Conn>): void {
  for (let k = 0; k < 256; k++) {
    const err = sock_accept(listenFd, FDFLAGS_NONBLOCK, outU32);
    if (err == ERRNO_MFILE || err == ERRNO_NFILE) acceptPaused = true;
    if (err != 0) return;
    conns.push(new Conn(load<u32>(outU32)));
  }
}

function serve(listenFd: u32): void {
  const conns = new Array<Conn>();
  let subs: usize = 0;
  let events: usize = 0;
  let capacity: usize = 0;
  while (true) {
    // Drop finished connections.
    let j = 0;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i];
      if (c.dead || (c.peerEof && c.output.pending() == 0)) {
        if (!c.dead) sock_shutdown(c.fd, SDFLAGS_RD_WR);
        fd_close(c.fd);
        c.input.free();
        c.output.free();
        acceptPaused = false;
      } else {
        conns[j++] = c;
      }
    }
    conns.length = j;

    const need = <usize>(1 + 2 * conns.length);
    if (need > capacity) {
      capacity = need * 2;
      subs = subs != 0 ? heap.realloc(subs, capacity * SUBSCRIPTION_SIZE) : heap.alloc(capacity * SUBSCRIPTION_SIZE);
      events = events != 0 ? heap.realloc(events, capacity * EVENT_SIZE) : heap.alloc(capacity * EVENT_SIZE);
    }
    let n: usize = 0;
    if (!acceptPaused) {
      setSubscription(subs, LISTENER, EVENTTYPE_FD_READ, listenFd);
      n++;
    }
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i];
      if (!c.peerEof && c.output.pending() < OUT_HIGH_WATER) {
        setSubscription(subs + n * SUBSCRIPTION_SIZE, <u64>i << 1, EVENTTYPE_FD_READ, c.fd);
        n++;
      }
      if (c.output.pending() > 0) {
        setSubscription(subs + n * SUBSCRIPTION_SIZE, (<u64>i << 1) | 1, EVENTTYPE_FD_WRITE, c.fd);
        n++;
      }
    }
    const err = poll_oneoff(subs, events, n, outU32);
    if (err == ERRNO_INTR) continue;
    if (err != 0) {
      write(2, "rot13-as: poll_oneoff failed: errno " + err.toString() + "\n");
      proc_exit(1);
    }
    const nevents = load<u32>(outU32);
    let acceptReady = false;
    const polled = conns.length;
    for (let e: u32 = 0; e < nevents; e++) {
      const ev = events + <usize>e * EVENT_SIZE;
      const userdata = load<u64>(ev);
      const error = load<u16>(ev, 8);
      if (userdata == LISTENER) {
        acceptReady = true;
        continue;
      }
      const idx = <i32>(userdata >> 1);
      if (idx >= polled) continue;
      const c = conns[idx];
      if (c.dead) continue;
      if (error != 0) {
        c.dead = true;
      } else if ((userdata & 1) == 1) {
        flush(c);
      } else {
        receive(c);
        flush(c);
      }
    }
    if (acceptReady) acceptAll(listenFd, conns);
  }
}

const listenFd = findListenFd("ROT13");
fd_fdstat_set_flags(listenFd, FDFLAGS_NONBLOCK);
write(1, "rot13-as: listening on fd " + listenFd.toString() + "\n");
serve(listenFd);
