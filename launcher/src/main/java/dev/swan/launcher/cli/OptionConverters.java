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
            if (eq < 0) throw new TypeConversionException("'" + o + "': expected REGEX=BITS[/GROUP]");
            String pattern = o.substring(0, eq);
            String[] bg = o.substring(eq + 1).split("/", -1);
            AllocationPolicy.Override parsed;
            try {
                int bits = Integer.parseInt(bg[0].trim());
                int group = bg.length > 1 ? Integer.parseInt(bg[1].trim()) : 0;
                if (bg.length > 2) throw new NumberFormatException();
                parsed = new AllocationPolicy.Override(pattern, bits, group);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + o + "': expected REGEX=BITS[/GROUP], e.g. 'layers\\.0\\.'=8/64");
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
