package dev.swan.launcher.cli;

import dev.swan.api.AllocationPolicy;
import dev.swan.launcher.ui.Format;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the option values that are more than a number: each parses, and leaves the
 * checking of the value to the record it builds, so the rule lives in one place.
 */
final class OptionConverters {
    private OptionConverters() {
    }

    /** {@code REGEX=BITS[/GROUP]}: the last '=' splits, so the expression may contain '='. */
    static final class OverrideConverter implements ITypeConverter<AllocationPolicy.Override> {
        @Override
        public AllocationPolicy.Override convert(String o) {
            int eq = o.lastIndexOf('=');
            if (eq < 0) throw new TypeConversionException("'" + o + "': expected REGEX=BITS[/GROUP] or REGEX=TYPE");
            String pattern = o.substring(0, eq);
            String value = o.substring(eq + 1).trim();
            String[] bg = value.split("/", -1);
            AllocationPolicy.Override parsed;
            if (!value.isEmpty() && !Character.isDigit(value.charAt(0))) {
                // a type of the output format (Q8_0, Q4_K, F16, mlx:8:64): checked against the format per tensor
                if (!value.matches("[A-Za-z0-9_:.-]+")) throw new TypeConversionException("'" + o + "': '" + value
                        + "' is neither BITS[/GROUP] nor a type name");
                return new AllocationPolicy.Override(pattern, 0, 0, value);
            }
            try {
                int bits = Integer.parseInt(bg[0].trim());
                int group = bg.length > 1 ? Integer.parseInt(bg[1].trim()) : 0;
                if (bg.length > 2) throw new NumberFormatException();
                parsed = new AllocationPolicy.Override(pattern, bits, group);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + o + "': expected REGEX=BITS[/GROUP] or REGEX=TYPE, e.g. "
                        + "'layers\\.0\\.'=8/64 or lm_head=Q8_0");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + o + "': " + e.getMessage());
            }
            return parsed; // the expression is checked with the other options' expressions, in one line
        }
    }

    /** A byte count with an optional unit: 6.1GB, 4.5G, 900MiB. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            try {
                return Format.parseSize(s);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + s + "': expected a size, e.g. 6.1GB, 4.5G, 900MiB");
            }
        }
    }
}
