// hello-as: "Hello, world!" in AssemblyScript, calling WASI preview 1 directly (no shim):
// the only import is wasi_snapshot_preview1.fd_write.

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): u16;

const STDOUT: u32 = 1;

function print(s: string): void {
  const bytes = String.UTF8.encode(s);
  const iov = memory.data(8); // one ciovec: buf pointer, length
  const nwritten = memory.data(4);
  let off: usize = 0;
  const len = <usize>bytes.byteLength;
  while (off < len) {
    store<u32>(iov, <u32>(changetype<usize>(bytes) + off));
    store<u32>(iov, <u32>(len - off), 4);
    if (fd_write(STDOUT, iov, 1, nwritten) != 0) return;
    off += load<u32>(nwritten);
  }
}

print("Hello, world!\n");
