package io.jqcow.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.tools.ToolException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** qemu-img's size complaints, as "qemu-img create -f raw x SIZE" prints them. */
class SizeArgumentTest {

    @Test
    void malformedSizeGivesTheTwoLineSuffixHint() {
        ToolException e = assertThrows(ToolException.class,
                () -> SizeArgument.parse("1.5", "image size", Long.MAX_VALUE, w -> { }));
        assertEquals(List.of("Invalid image size specified. You may use k, M, G, T, P or E suffixes for",
                "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes."), e.lines());
        assertEquals(1, e.exitCode());
    }

    @Test
    void hugeSizeNamesTheRange() {
        ToolException e = assertThrows(ToolException.class,
                () -> SizeArgument.parse("8E", "image size", Long.MAX_VALUE, w -> { }));
        assertEquals(List.of("Invalid image size specified. Must be between 0 and 9223372036854775807."), e.lines());
        ToolException small = assertThrows(ToolException.class,
                () -> SizeArgument.parse("2G", "buffer size", Integer.MAX_VALUE, w -> { }));
        assertEquals(List.of("Invalid buffer size specified. Must be between 0 and 2147483647."), small.lines());
    }

    @Test
    void validSizesPassAndWarningsAreForwarded() throws ToolException {
        List<String> warnings = new ArrayList<>();
        assertEquals(1536, SizeArgument.parse("1.5k", "offset", Long.MAX_VALUE, warnings::add));
        assertEquals(Integer.MAX_VALUE, SizeArgument.parse("2147483647", "buffer size", Integer.MAX_VALUE, warnings::add));
        assertEquals(2048, SizeArgument.parse("0x2k", "offset", Long.MAX_VALUE, warnings::add));
        assertEquals(List.of("Using a multiplier suffix on hex numbers is deprecated: 0x2k"), warnings);
    }
}
