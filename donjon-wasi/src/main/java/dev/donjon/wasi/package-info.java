/**
 * Donjon's WASI preview 1 host.
 *
 * <p>How to run a module:
 * <pre>{@code
 * WasiProgram program = WasiProgram.load(wasmBytes);          // validates; throws ModuleRejectedException
 * int exit = program.run(WasiOptions.builder()
 *         .args("main.wasm", "a", "b")                         // argv, argv[0] included
 *         .env("FD_COUNT=4", "FD_NAMES=stdin:stdout:stderr:web") // the guest environment is exactly this
 *         .fd(new FdSpec.Stdin(System.in))                     // fd 0, 1, 2, 3... in order
 *         .fd(new FdSpec.Stdout(System.out))
 *         .fd(new FdSpec.Stderr(System.err))
 *         .fd(new FdSpec.Listener(serverSocketChannel, "web", Optional.empty()))
 *         .preopen(Path.of("data"), "/data")                  // preopened dirs follow the configured fds
 *         .limits(WasiLimits.defaults().withMaxWallTime(Duration.ofSeconds(30)))
 *         .build());
 * }</pre>
 *
 * <p>{@link dev.donjon.wasi.WasiProgram#run} returns the guest's exit code ({@code proc_exit}, or 0 when
 * {@code _start} returns). Traps and exceeded limits are {@link dev.donjon.wasi.GuestFailedException}s with
 * one-line messages. Interrupting the thread that called {@code run} stops the guest (GuestFailedException
 * "guest was stopped"). Sockets are opened by the caller, never by the guest; the host takes ownership of
 * the channels it is given and closes them when the run ends.
 *
 * <p>TLS is the host's job, as in Enarx: a {@link dev.donjon.wasi.FdSpec.Listener} or
 * {@link dev.donjon.wasi.FdSpec.Stream} with an {@code SSLContext} is TLS 1.3 on the wire and plaintext to
 * the guest (server mode with optional required client certificates; client mode with SNI and hostname
 * verification). A failed handshake fails that fd only (ECONNABORTED), never the run.
 *
 * <p>Preopened directories are descriptors, and every guest path is resolved by the kernel beneath one (see
 * {@code README.md}): the guest cannot leave them by renames, symlinks or races.
 *
 * <p>A {@link dev.donjon.wasi.MemoryDirectory} is a read-only, flat directory whose files live only in memory (a Keep's
 * secrets); its fd follows the preopens. It is a descriptor kind of its own ({@code Descriptor.MemoryDir},
 * {@code Descriptor.MemoryFile}) answered by {@code MemoryFiles}, which sits on top of the import table and hands every
 * call on another descriptor to the host file system code unchanged: that code never sees an in-memory descriptor.
 *
 * <p>Layout: this package is the public API; {@code dev.donjon.wasi.host} implements WASI preview 1 against
 * an engine-neutral interface ({@code GuestMemory} + a table of {@code HostFunction}s);
 * {@code dev.donjon.wasi.linux} holds the Linux system calls behind files and directories and the resolution beneath
 * a directory; {@code dev.donjon.wasi.chicory} binds that table to Chicory's compiled mode.
 */
package dev.donjon.wasi;
