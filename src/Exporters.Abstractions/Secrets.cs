namespace Exporters.Abstractions;

/// <summary>Helpers for credentials given either as a value or as a file (the <c>password_file</c> convention).</summary>
public static class Secrets
{
    /// <summary>
    /// Returns <paramref name="value"/> if set, otherwise the contents of <paramref name="file"/> without its trailing
    /// line break, otherwise <see langword="null"/>. The file is read on every call, so a rotated Kubernetes Secret
    /// takes effect without a restart.
    /// </summary>
    /// <param name="value">The secret given inline.</param>
    /// <param name="file">A file holding the secret.</param>
    /// <returns>The secret, or <see langword="null"/>.</returns>
    /// <exception cref="IOException">The file cannot be read; the message names the file, never its contents.</exception>
    public static string? Resolve(string? value, string? file)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        try
        {
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read secret file '{file}': {e.GetType().Name}", e);
        }
    }

    /// <summary>
    /// Removes the password (and user) from a URI's user-info part so it can be shown or logged, for example
    /// <c>redis://:hunter2@db:6379</c> becomes <c>redis://db:6379</c>. Text that is not an absolute URI is returned
    /// as it is, except that anything before an <c>@</c> is removed.
    /// </summary>
    /// <param name="target">An address or URI.</param>
    /// <returns>The address without credentials.</returns>
    public static string RedactTarget(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return string.Empty;
        }

        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
        var authorityEnd = target.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = target.Length;
        }

        var at = target.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? target : string.Concat(target.AsSpan(0, authorityStart), target.AsSpan(at + 1));
    }
}
