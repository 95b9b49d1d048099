using System.Collections.Immutable;

namespace Exporters.Hosting.Logging;

/// <summary>
/// Scrubs known secret values (options marked <c>[Secret]</c>, secrets collectors register, passwords in target URIs)
/// from text before it reaches a log line, an error message or a page.
/// </summary>
internal sealed class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "<secret>";

    private ImmutableArray<string> _secrets = [];

    /// <summary>The process-wide redactor; log formatters have no dependency injection, so it is shared.</summary>
    public static SecretRedactor Shared { get; } = new();

    /// <summary>Adds a secret; values shorter than 3 characters are ignored to keep output readable.</summary>
    /// <param name="secret">The value.</param>
    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 3)
        {
            return;
        }

        ImmutableInterlocked.Update(ref _secrets, static (list, value) => list.Contains(value) ? list : [.. list.Add(value).OrderByDescending(s => s.Length)], secret);
    }

    /// <summary>Replaces every known secret in <paramref name="text"/> with <see cref="Mask"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The redacted text.</returns>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Registers the password (and user-info) of a URI-shaped target.</summary>
    /// <param name="target">An address or URI.</param>
    public void RegisterTargetCredentials(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        var start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        var end = target.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? target.Length : end;
        var at = target.LastIndexOf('@', end - 1, end - start);
        if (at < 0)
        {
            return;
        }

        var userInfo = target[start..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        Register(colon >= 0 ? userInfo[(colon + 1)..] : userInfo);
        Register(Uri.UnescapeDataString(colon >= 0 ? userInfo[(colon + 1)..] : userInfo));
    }
}
