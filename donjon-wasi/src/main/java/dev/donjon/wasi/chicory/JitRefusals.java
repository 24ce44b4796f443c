package dev.donjon.wasi.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.common.OneLine;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingStream;

/**
 * Logs, at info, each guest function HotSpot's JIT compilers refuse ("out of nodes", "out of virtual registers"...):
 * code they refuse runs in the JVM's bytecode interpreter, tens of times slower, and that must not happen silently.
 * The JVM reports it only through JDK Flight Recorder, so while info is logged an in-process recording streams its
 * compilation events (JFR's start-up costs a few hundred milliseconds of CPU: not paid at the default log level).
 */
final class JitRefusals {
    private static final Logger LOG = Logger.getLogger(JitRefusals.class.getName());
    private static final String GENERATED = "com.dylibso.chicory.$gen.";
    /** The daemon thread the recording's events arrive on. */
    static final String THREAD = "donjon-jit-refusals";

    private static volatile WasmModule named;
    private static volatile boolean started;
    /** Failure messages by compile id: JFR emits a failure before the compilation event that names the method. */
    private static final Map<Integer, String> FAILURES = new ConcurrentHashMap<>();

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private JitRefusals() {}

    /** Starts watching (once per JVM) when info is logged; {@code module} names the functions in what is logged. */
    static void watch(WasmModule module) {
        if (!LOG.isLoggable(Level.INFO)) return;
        named = module;
        synchronized (JitRefusals.class) {
            if (started) return;
            started = true;
        }
        try {
            RecordingStream stream = new RecordingStream();
            stream.enable("jdk.CompilationFailure");
            stream.enable("jdk.Compilation").withThreshold(Duration.ZERO);
            stream.onEvent(
                    "jdk.CompilationFailure", e -> FAILURES.put(e.getInt("compileId"), e.getString("failureMessage")));
            stream.onEvent("jdk.Compilation", JitRefusals::compiled);
            stream.setMaxAge(Duration.ofSeconds(10));
            // not startAsync(): its thread is not a daemon, and kept every JVM that ran a guest in-process at info
            // (a benchmark, an embedding program) alive after its main thread ended
            Thread.ofPlatform().daemon().name(THREAD).start(stream::start);
        } catch (RuntimeException | Error e) {
            LOG.info(() ->
                    "cannot watch for guest functions the JIT refuses (no JDK Flight Recorder): " + OneLine.of(e));
        }
    }

    private static void compiled(RecordedEvent e) {
        String message = FAILURES.remove(e.getInt("compileId"));
        if (e.getBoolean("succeded")) return;
        RecordedMethod method = e.getValue("method");
        if (method == null
                || !method.getType().getName().startsWith(GENERATED)
                || !method.getName().startsWith("func_")) return;
        String compiler = e.getString("compiler");
        String name = method.getName();
        if (!REPORTED.add(name + "/" + compiler + "/" + e.getBoolean("isOsr"))) return;
        int index = FunctionNames.index(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
        WasmModule module = named;
        String what = (module == null || index < 0 ? name : FunctionNames.describe(module, index))
                + (name.contains("$") ? " (part " + name.substring(name.indexOf('$') + 1) + ")" : "");
        LOG.info(() ->
                "the JIT's " + compiler + " refused guest " + what + (e.getBoolean("isOsr") ? " (loop entry)" : "")
                        + ": " + (message == null ? "no reason given" : message.strip())
                        + (compiler.equalsIgnoreCase("c2") ? "; it runs slower until a compile succeeds" : ""));
    }
}
