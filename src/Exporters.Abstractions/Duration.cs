using System.ComponentModel;
using System.Globalization;

namespace Exporters.Abstractions;

/// <summary>
/// A duration written the way Prometheus users write them: <c>500ms</c>, <c>5s</c>, <c>1m30s</c>, <c>2h</c>,
/// <c>1d</c>, <c>1w</c>, or <c>0</c>. <c>hh:mm:ss</c> is accepted too.
/// </summary>
[TypeConverter(typeof(DurationConverter))]
public readonly record struct Duration : IComparable<Duration>
{
    /// <summary>Creates a duration.</summary>
    /// <param name="value">The length of time; must not be negative.</param>
    public Duration(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        Value = value;
    }

    /// <summary>The length of time.</summary>
    public TimeSpan Value { get; }

    /// <summary>Whether the duration is zero (commonly: the feature is off).</summary>
    public bool IsZero => Value == TimeSpan.Zero;

    /// <summary>A duration of <paramref name="seconds"/> seconds.</summary>
    /// <param name="seconds">Seconds.</param>
    /// <returns>The duration.</returns>
    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    /// <summary>Converts to <see cref="TimeSpan"/>.</summary>
    /// <param name="duration">The duration.</param>
    public static implicit operator TimeSpan(Duration duration) => duration.Value;

    /// <summary>Parses a duration.</summary>
    /// <param name="text">The text, for example <c>1m30s</c>.</param>
    /// <param name="duration">The result.</param>
    /// <returns>Whether the text was a valid duration.</returns>
    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text == "0")
        {
            return true;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
            {
                duration = new Duration(span);
                return true;
            }

            return false;
        }

        var ticks = 0d;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            double? scale = text.AsSpan(unitStart, i - unitStart) switch
            {
                "ns" => TimeSpan.TicksPerMicrosecond / 1000d,
                "us" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                "w" => TimeSpan.TicksPerDay * 7,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            ticks += number * scale.Value;
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = new Duration(TimeSpan.FromTicks((long)ticks));
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/> naming the accepted forms.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The duration.</returns>
    public static Duration Parse(string? text) => TryParse(text, out var d)
        ? d
        : throw new FormatException($"'{text}' is not a duration: write it like 500ms, 5s, 1m30s, 2h or 0");

    /// <inheritdoc/>
    public int CompareTo(Duration other) => Value.CompareTo(other.Value);

    /// <summary>Formats the duration the way it is parsed, for example <c>1m30s</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        if (Value == TimeSpan.Zero)
        {
            return "0s";
        }

        var rest = Value;
        var text = new System.Text.StringBuilder();
        Append(ref rest, TimeSpan.FromHours(1), "h", text);
        Append(ref rest, TimeSpan.FromMinutes(1), "m", text);
        Append(ref rest, TimeSpan.FromSeconds(1), "s", text);
        Append(ref rest, TimeSpan.FromMilliseconds(1), "ms", text);
        return text.Length == 0 ? $"{Value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms" : text.ToString();

        static void Append(ref TimeSpan rest, TimeSpan unit, string suffix, System.Text.StringBuilder text)
        {
            var whole = rest.Ticks / unit.Ticks;
            if (whole > 0)
            {
                text.Append(whole.ToString(CultureInfo.InvariantCulture)).Append(suffix);
                rest -= TimeSpan.FromTicks(whole * unit.Ticks);
            }
        }
    }

    /// <summary>Compares durations.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether left is shorter.</returns>
    public static bool operator <(Duration left, Duration right) => left.CompareTo(right) < 0;

    /// <summary>Compares durations.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether left is longer.</returns>
    public static bool operator >(Duration left, Duration right) => left.CompareTo(right) > 0;

    /// <summary>Compares durations.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether left is not longer.</returns>
    public static bool operator <=(Duration left, Duration right) => left.CompareTo(right) <= 0;

    /// <summary>Compares durations.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether left is not shorter.</returns>
    public static bool operator >=(Duration left, Duration right) => left.CompareTo(right) >= 0;
}

/// <summary>Lets configuration binding read <see cref="Duration"/> values from text.</summary>
public sealed class DurationConverter : TypeConverter
{
    /// <inheritdoc/>
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc/>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Duration.Parse(text) : base.ConvertFrom(context, culture, value);
}
