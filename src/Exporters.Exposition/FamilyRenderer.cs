using Exporters.Abstractions.Metrics;

namespace Exporters.Exposition;

/// <summary>Writes one merged family in the text format or OpenMetrics.</summary>
internal static class FamilyRenderer
{
    public static void Write(ref Utf8Output o, ExpositionDocument.FamilyGroup group, ExpositionFormat format)
    {
        var definition = group.Definition;
        var om = format == ExpositionFormat.OpenMetrics;

        // A counter without _total keeps its established name; OpenMetrics would force a rename, so it goes out as
        // unknown. So does one whose OpenMetrics name another family of the document already has.
        var omUnknownCounter = om && definition is CounterDefinition counter && (!counter.HasTotalSuffix || group.OpenMetricsUnknown);
        var familyName = om && !omUnknownCounter ? definition.OpenMetricsName : definition.Name;

        o.Ascii("# HELP "u8);
        o.Text(familyName);
        o.Byte((byte)' ');
        o.Escaped(definition.Help, escapeQuote: om);
        if (group.HelpSuffix is { } suffix)
        {
            o.Escaped(suffix, escapeQuote: om);
        }

        o.Ascii("\n# TYPE "u8);
        o.Text(familyName);
        o.Ascii(TypeName(definition.Type, om, omUnknownCounter));
        if (om && definition.Unit is { } unit)
        {
            o.Ascii("# UNIT "u8);
            o.Text(familyName);
            o.Byte((byte)' ');
            o.Text(unit);
            o.Byte((byte)'\n');
        }

        for (var part = 0; part < group.PartCount; part++)
        {
            var (family, extraLabels) = group.Part(part);
            for (var series = 0; series < family.SeriesCount; series++)
            {
                WriteSeries(ref o, family, series, extraLabels, om, omUnknownCounter);
            }
        }
    }

    private static ReadOnlySpan<byte> TypeName(MetricType type, bool om, bool omUnknownCounter) => type switch
    {
        MetricType.Counter => omUnknownCounter ? " unknown\n"u8 : " counter\n"u8,
        MetricType.Info => om ? " info\n"u8 : " gauge\n"u8,
        MetricType.StateSet => om ? " stateset\n"u8 : " gauge\n"u8,
        MetricType.Histogram => " histogram\n"u8,
        MetricType.Summary => " summary\n"u8,
        _ => " gauge\n"u8,
    };

    private static void WriteSeries(ref Utf8Output o, MetricFamilyData family, int series, IReadOnlyList<KeyValuePair<string, string>>? extraLabels, bool om, bool omUnknownCounter)
    {
        var definition = family.Definition;
        var labels = family.GetLabelValues(series);
        var payload = family.GetPayload(series);
        switch (definition.Type)
        {
            case MetricType.Gauge:
                Sample(ref o, definition.Name, default, definition, labels, extraLabels, null, 0, payload[0], om);
                break;
            case MetricType.Counter:
                var name = om && !omUnknownCounter ? definition.OpenMetricsName : definition.Name;
                Sample(ref o, name, om && !omUnknownCounter ? "_total"u8 : default, definition, labels, extraLabels, null, 0, payload[0], om);
                break;
            case MetricType.Info:
                Sample(ref o, definition.Name, default, definition, labels, extraLabels, null, 0, 1, om);
                break;
            case MetricType.StateSet:
                Sample(ref o, definition.Name, default, definition, labels, extraLabels, null, 0, payload[0], om);
                break;
            case MetricType.Histogram:
                for (var i = 2; i < payload.Length; i += 2)
                {
                    Sample(ref o, definition.Name, "_bucket"u8, definition, labels, extraLabels, "le", payload[i], payload[i + 1], om);
                }

                Sample(ref o, definition.Name, "_sum"u8, definition, labels, extraLabels, null, 0, payload[0], om);
                Sample(ref o, definition.Name, "_count"u8, definition, labels, extraLabels, null, 0, payload[1], om);
                break;
            case MetricType.Summary:
                for (var i = 2; i < payload.Length; i += 2)
                {
                    Sample(ref o, definition.Name, default, definition, labels, extraLabels, "quantile", payload[i], payload[i + 1], om);
                }

                Sample(ref o, definition.Name, "_sum"u8, definition, labels, extraLabels, null, 0, payload[0], om);
                Sample(ref o, definition.Name, "_count"u8, definition, labels, extraLabels, null, 0, payload[1], om);
                break;
        }
    }

    private static void Sample(
        ref Utf8Output o,
        string name,
        ReadOnlySpan<byte> suffix,
        MetricDefinition definition,
        ReadOnlySpan<string> labelValues,
        IReadOnlyList<KeyValuePair<string, string>>? extraLabels,
        string? boundLabel,
        double bound,
        double value,
        bool om)
    {
        o.Text(name);
        o.Ascii(suffix);
        var names = definition.LabelNames;
        var any = labelValues.Length > 0 || boundLabel is not null || extraLabels is { Count: > 0 };
        if (any)
        {
            o.Byte((byte)'{');
            var first = true;
            for (var i = 0; i < labelValues.Length; i++)
            {
                // State sets carry the state as a last label named after the family.
                Label(ref o, i < names.Count ? names[i] : definition.Name, labelValues[i], ref first);
            }

            if (extraLabels is not null)
            {
                // Indexed: a foreach over the interface would box an enumerator for every series.
                for (var i = 0; i < extraLabels.Count; i++)
                {
                    var (extraName, extraValue) = extraLabels[i];
                    Label(ref o, extraName, extraValue, ref first);
                }
            }

            if (boundLabel is not null)
            {
                if (!first)
                {
                    o.Byte((byte)',');
                }

                o.Text(boundLabel);
                o.Ascii("=\""u8);
                o.Number(bound, forceDecimalPoint: om);
                o.Byte((byte)'"');
            }

            o.Byte((byte)'}');
        }

        o.Byte((byte)' ');
        o.Number(value, forceDecimalPoint: false);
        o.Byte((byte)'\n');
    }

    private static void Label(ref Utf8Output o, string name, string value, ref bool first)
    {
        if (!first)
        {
            o.Byte((byte)',');
        }

        first = false;
        o.Text(name);
        o.Ascii("=\""u8);
        o.Escaped(value, escapeQuote: true);
        o.Byte((byte)'"');
    }
}
