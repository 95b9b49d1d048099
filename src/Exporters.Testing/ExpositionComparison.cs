namespace Exporters.Testing;

/// <summary>Compares expositions in the text format family by family, the way <see cref="CollectorHarness.CollectAndCompareAsync"/> does.</summary>
public static class ExpositionComparison
{
    /// <summary>
    /// Throws when the families named in <paramref name="metricNames"/> (all when none are named) differ between
    /// <paramref name="expected"/> and <paramref name="actual"/>. Families are compared in name order, each with its
    /// lines in their own order; blank lines and indentation are ignored.
    /// </summary>
    /// <param name="expected">The expected exposition.</param>
    /// <param name="actual">The actual exposition.</param>
    /// <param name="metricNames">Family names to compare.</param>
    /// <exception cref="ExpositionMismatchException">They differ.</exception>
    public static void AssertEqual(string expected, string actual, params string[] metricNames)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var want = Select(expected, metricNames);
        var got = Select(actual, metricNames);
        if (!want.SequenceEqual(got, StringComparer.Ordinal))
        {
            throw new ExpositionMismatchException(string.Join('\n', want), string.Join('\n', got));
        }
    }

    /// <summary>
    /// The lines of <paramref name="text"/> that belong to the named families, trimmed, without blank lines, family
    /// by family in name order.
    /// </summary>
    /// <param name="text">Exposition text.</param>
    /// <param name="metricNames">Family names, or none for every family.</param>
    /// <returns>The lines.</returns>
    public static IReadOnlyList<string> Select(string text, params string[] metricNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(metricNames);
        var families = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        string? family = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line == "# EOF")
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || line.StartsWith("# UNIT ", StringComparison.Ordinal))
            {
                var name = line[7..];
                var space = name.IndexOf(' ', StringComparison.Ordinal);
                family = space < 0 ? name : name[..space];
            }
            else if (!line.StartsWith('#'))
            {
                var end = line.IndexOfAny(['{', ' ']);
                var sample = end < 0 ? line : line[..end];
                if (family is null || !BelongsTo(sample, family))
                {
                    family = sample;
                }
            }

            if (family is not null && (metricNames.Length == 0 || metricNames.Contains(family, StringComparer.Ordinal)))
            {
                if (!families.TryGetValue(family, out var lines))
                {
                    families[family] = lines = [];
                }

                lines.Add(line);
            }
        }

        return [.. families.Values.SelectMany(l => l)];
    }

    private static bool BelongsTo(string sample, string family) =>
        sample == family || (sample.StartsWith(family, StringComparison.Ordinal)
            && sample.AsSpan(family.Length) is "_bucket" or "_sum" or "_count" or "_total" or "_created" or "_info");
}

/// <summary>Two expositions differ where a test expected them to be equal.</summary>
public sealed class ExpositionMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExpositionMismatchException()
        : this(string.Empty, string.Empty)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ExpositionMismatchException(string message)
        : base(message)
    {
        Expected = string.Empty;
        Actual = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ExpositionMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expected = string.Empty;
        Actual = string.Empty;
    }

    /// <summary>Creates the exception with both texts.</summary>
    /// <param name="expected">What was expected.</param>
    /// <param name="actual">What was written.</param>
    public ExpositionMismatchException(string expected, string actual)
        : base($"the exposition differs.\n--- expected\n{expected}\n--- actual\n{actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The expected lines.</summary>
    public string Expected { get; }

    /// <summary>The actual lines.</summary>
    public string Actual { get; }
}
