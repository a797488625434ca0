package io.jqcow.tools.convert;

import io.jqcow.posix.CacheMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A checked convert command line.
 *
 * @param createOptions the target's -o options with -B/-F folded in as backing_file/backing_fmt
 * @param backing       the target's backing file name, or null
 * @param sparse        -S in bytes (0: fully allocate)
 * @param rateLimit     -r in bytes per second (0: unlimited)
 */
record ConvertRequest(List<Path> sources, Path target, Map<String, String> createOptions, String backing,
                      int workers, long sparse, CacheMode targetCache, CacheMode sourceCache,
                      long rateLimit) {

    ConvertRequest {
        sources = List.copyOf(sources);
        createOptions = Map.copyOf(createOptions);
    }
}
