package dev.donjon.wasi.chicory;

import com.dylibso.chicory.wasm.Parser;

/** For tests elsewhere: the cache key under which a module's compiled form is stored. */
public final class ChicoryCacheKeys {
    private ChicoryCacheKeys() {}

    public static String keyOf(byte[] wasm) {
        return ChicoryCache.ENGINE + "/" + Parser.parse(wasm).digest();
    }
}
