using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Exporters.Hosting.Logging;

/// <summary>
/// logfmt lines as Prometheus' own servers write them: <c>ts=... level=info logger=... msg="..." key=value</c>.
/// Message-template arguments become their own keys; known secrets are scrubbed.
/// </summary>
internal sealed class LogfmtFormatter() : ConsoleFormatter("logfmt")
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuoting = System.Buffers.SearchValues.Create(" =\"\\\n\t");

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var line = new StringBuilder(160);
        line.Append("ts=").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        line.Append(" level=").Append(LogFields.Level(logEntry.LogLevel));
        line.Append(" logger=").Append(LogFields.Category(logEntry.Category));
        line.Append(" msg=");
        Quote(line, SecretRedactor.Shared.Redact(logEntry.Formatter(logEntry.State, logEntry.Exception)));
        foreach (var (key, value) in LogFields.Arguments(logEntry.State))
        {
            line.Append(' ').Append(key).Append('=');
            Quote(line, SecretRedactor.Shared.Redact(value));
        }

        if (logEntry.Exception is { } exception)
        {
            line.Append(" err=");
            Quote(line, SecretRedactor.Shared.Redact(exception.Message));
        }

        textWriter.WriteLine(line.ToString());
    }

    private static void Quote(StringBuilder line, string value)
    {
        var needsQuotes = value.Length == 0 || value.AsSpan().IndexOfAny(NeedsQuoting) >= 0;
        if (!needsQuotes)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => line.Append("\\\""),
                '\\' => line.Append("\\\\"),
                '\n' => line.Append("\\n"),
                '\t' => line.Append("\\t"),
                _ => line.Append(c),
            };
        }

        line.Append('"');
    }
}

/// <summary>One JSON object per line with the same fields as <see cref="LogfmtFormatter"/>.</summary>
internal sealed class JsonLineFormatter() : ConsoleFormatter("jsonl")
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("ts", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", LogFields.Level(logEntry.LogLevel));
            json.WriteString("logger", LogFields.Category(logEntry.Category));
            json.WriteString("msg", SecretRedactor.Shared.Redact(logEntry.Formatter(logEntry.State, logEntry.Exception)));
            foreach (var (key, value) in LogFields.Arguments(logEntry.State))
            {
                json.WriteString(key, SecretRedactor.Shared.Redact(value));
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("err", SecretRedactor.Shared.Redact(exception.Message));
            }

            json.WriteEndObject();
        }

        textWriter.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}

internal static class LogFields
{
    public static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };

    public static string Category(string category)
    {
        var dot = category.LastIndexOf('.');
        return dot < 0 ? category : category[(dot + 1)..];
    }

    public static IEnumerable<(string Key, string Value)> Arguments<TState>(TState state)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            yield break;
        }

        foreach (var (key, value) in pairs)
        {
            if (key == "{OriginalFormat}" || value is null)
            {
                continue;
            }

            yield return (Snake(key), Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
        }
    }

    private static string Snake(string key)
    {
        var text = new StringBuilder(key.Length + 4);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
