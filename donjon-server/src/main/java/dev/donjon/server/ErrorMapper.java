package dev.donjon.server;

import java.util.Optional;

/**
 * A service's one mapping from its domain exceptions (not found, conflict, refused ...) to HTTP answers. The edge
 * asks it about every exception a handler throws other than {@link ApiError}; what it does not map is a 500 whose
 * cause is logged and never sent.
 */
@FunctionalInterface
public interface ErrorMapper {
    Optional<ApiError> map(Throwable failure);

    ErrorMapper NONE = f -> Optional.empty();
}
