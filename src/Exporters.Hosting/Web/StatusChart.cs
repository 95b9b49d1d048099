using System.Globalization;
using System.Text;
using Exporters.Hosting.Scraping;

namespace Exporters.Hosting.Web;

/// <summary>
/// The status page's chart of an instance's last scrapes: one bar per scrape, its height the scrape's duration, newest
/// on the right; failed scrapes and scrapes whose target was down are coloured and marked with a shape under their
/// bar, so colour is not the only sign. Plain SVG written on the server, one path per kind of bar.
/// </summary>
internal static class StatusChart
{
    /// <summary>Width of one bar's slot in SVG units.</summary>
    private const int Slot = 5;

    /// <summary>Width of a bar.</summary>
    private const int BarWidth = 4;

    /// <summary>Where bars stand (the baseline).</summary>
    private const int Baseline = 40;

    /// <summary>The tallest bar.</summary>
    private const int BarHeight = 38;

    /// <summary>The chart's width.</summary>
    public const int Width = ScrapeHistory.Capacity * Slot;

    /// <summary>The chart's height, markers included.</summary>
    public const int Height = 50;

    /// <summary>Appends the chart of <paramref name="history"/>.</summary>
    /// <param name="page">The page.</param>
    /// <param name="id">A prefix for element ids, unique on the page.</param>
    /// <param name="encodedName">The instance name, HTML-encoded.</param>
    /// <param name="history">The scrapes, oldest first (at most <see cref="ScrapeHistory.Capacity"/>).</param>
    /// <param name="now">The current time.</param>
    public static void Append(StringBuilder page, string id, string encodedName, IReadOnlyList<ScrapeRecord> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            page.Append("<p class=\"muted\">No scrape yet.</p>");
            return;
        }

        var count = Math.Min(history.Count, ScrapeHistory.Capacity);
        var first = history.Count - count;
        var longest = TimeSpan.Zero;
        var failed = 0;
        var down = 0;
        for (var i = first; i < history.Count; i++)
        {
            var record = history[i];
            longest = record.Duration > longest ? record.Duration : longest;
            failed += record.Success ? 0 : 1;
            down += record.Success && record.TargetDown ? 1 : 0;
        }

        var scale = longest > TimeSpan.Zero ? BarHeight / longest.TotalMilliseconds : 0;
        var upBars = new StringBuilder(count * 20);
        var downBars = new StringBuilder();
        var failedBars = new StringBuilder();
        var downMarks = new StringBuilder();
        var failedMarks = new StringBuilder();
        for (var i = first; i < history.Count; i++)
        {
            var record = history[i];
            var x = (ScrapeHistory.Capacity - count + i - first) * Slot;
            var height = Math.Max(1.5, record.Duration.TotalMilliseconds * scale);
            var bars = !record.Success ? failedBars : record.TargetDown ? downBars : upBars;
            bars.Append(CultureInfo.InvariantCulture, $"M{x} {Baseline}h{BarWidth}v-{height:0.#}h-{BarWidth}z");
            if (!record.Success)
            {
                // A triangle under the bar.
                failedMarks.Append(CultureInfo.InvariantCulture, $"M{x} {Height}h{BarWidth}l-{BarWidth / 2} -6z");
            }
            else if (record.TargetDown)
            {
                // A square under the bar.
                downMarks.Append(CultureInfo.InvariantCulture, $"M{x} {Height - 5}h{BarWidth}v{BarWidth}h-{BarWidth}z");
            }
        }

        var newest = history[^1];
        var durations = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            durations[i] = history[first + i].Duration;
        }

        Array.Sort(durations);
        var median = durations[count / 2];
        var summary = new StringBuilder(160);
        summary.Append(CultureInfo.InvariantCulture, $"{StatusFormat.Count(count, "scrape")} over {StatusFormat.Span(newest.Finished - history[first].Finished)}, newest {StatusFormat.Age(now - newest.Finished)}: ");
        summary.Append(CultureInfo.InvariantCulture, $"{failed} failed, {down} with the target down. ");
        summary.Append(CultureInfo.InvariantCulture, $"Duration: median {StatusFormat.Duration(median)}, longest {StatusFormat.Duration(longest)}, last {StatusFormat.Duration(newest.Duration)}.");

        page.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        page.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">Last {StatusFormat.Count(count, "scrape")} of {encodedName}</title>");
        page.Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{summary}</desc>");
        page.Append(CultureInfo.InvariantCulture, $"<path class=\"axis\" d=\"M0 {Baseline}.5H{Width}\"/>");
        AppendPath(page, "bar-up", upBars);
        AppendPath(page, "bar-down", downBars);
        AppendPath(page, "bar-failed", failedBars);
        AppendPath(page, "mark-down", downMarks);
        AppendPath(page, "mark-failed", failedMarks);
        page.Append("</svg>");
        page.Append(CultureInfo.InvariantCulture, $"<p class=\"chart-note\">longest {StatusFormat.Duration(longest)}");
        if (failed > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $" &middot; <span class=\"bad\">{failed} failed</span>");
        }

        if (down > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $" &middot; <span class=\"warn\">{down} down</span>");
        }

        page.Append("</p>");
    }

    /// <summary>Appends the legend explaining the bars and marks.</summary>
    /// <param name="page">The page.</param>
    public static void AppendLegend(StringBuilder page)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Append("<p class=\"legend\">Charts: one bar per scrape of the configured target, newest on the right, height its duration (scaled to the longest shown). ");
        page.Append("<svg class=\"key\" viewBox=\"0 0 10 12\" width=\"10\" height=\"12\" aria-hidden=\"true\"><path class=\"bar-up\" d=\"M3 12h4v-10h-4z\"/></svg> target up, ");
        page.Append("<svg class=\"key\" viewBox=\"0 0 10 12\" width=\"10\" height=\"12\" aria-hidden=\"true\"><path class=\"mark-down\" d=\"M2 10h6v-6h-6z\"/></svg> target down, ");
        page.Append("<svg class=\"key\" viewBox=\"0 0 10 12\" width=\"10\" height=\"12\" aria-hidden=\"true\"><path class=\"mark-failed\" d=\"M1 11h8l-4 -8z\"/></svg> scrape failed.</p>");
    }

    private static void AppendPath(StringBuilder page, string kind, StringBuilder data)
    {
        if (data.Length > 0)
        {
            page.Append("<path class=\"").Append(kind).Append("\" d=\"").Append(data).Append("\"/>");
        }
    }
}

/// <summary>How the status page writes times, sizes and counts for people.</summary>
internal static class StatusFormat
{
    /// <summary>A scrape duration: <c>0.42 ms</c>, <c>12.3 ms</c>, <c>1.25 s</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>Text.</returns>
    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.##} ms"),
        < 100 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.#} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.##} s"),
    };

    /// <summary>A time span for people: <c>45 s</c>, <c>12 min</c>, <c>3 h 5 min</c>, <c>2 d 4 h</c>.</summary>
    /// <param name="span">The span.</param>
    /// <returns>Text.</returns>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds switch
        {
            < 1 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s"),
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s"),
            < 86400 => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h"),
        };
    }

    /// <summary>How long ago: <c>just now</c>, <c>12 s ago</c>.</summary>
    /// <param name="age">The time since.</param>
    /// <returns>Text.</returns>
    public static string Age(TimeSpan age) => age < TimeSpan.FromSeconds(1) ? "just now" : Span(age) + " ago";

    /// <summary>A point in time, UTC, to the second.</summary>
    /// <param name="time">The time.</param>
    /// <returns>Text.</returns>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A byte count in binary units.</summary>
    /// <param name="bytes">The count.</param>
    /// <returns>Text.</returns>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024d:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024d * 1024 * 1024):0.##} GiB"),
    };

    /// <summary>A count with thousands separators.</summary>
    /// <param name="count">The count.</param>
    /// <returns>Text.</returns>
    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>A count and its noun, plural unless the count is one: <c>1 scrape</c>, <c>1,024 scrapes</c>.</summary>
    /// <param name="count">The count.</param>
    /// <param name="noun">The noun in the singular; the plural adds <c>s</c>.</param>
    /// <returns>Text.</returns>
    public static string Count(long count, string noun) => Count(count) + " " + (count == 1 ? noun : noun + "s");
}
