using System.Net.Http.Headers;
using System.Text;

namespace Exporters.Passthrough;

/// <summary>Checks the HTTP URIs collectors are pointed at.</summary>
public static class TargetUri
{
    /// <summary>Parses an absolute <c>http</c> or <c>https</c> URI.</summary>
    /// <param name="text">The text.</param>
    /// <param name="uri">The URI.</param>
    /// <param name="error">Why it is not acceptable (never contains the user-info).</param>
    /// <returns>Whether it is acceptable.</returns>
    public static bool TryParse(string? text, out Uri? uri, out string? error)
    {
        uri = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is required, for example http://localhost:9093";
            return false;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            error = "must be an absolute http:// or https:// URI, for example http://localhost:9093";
            return false;
        }

        uri = parsed;
        return true;
    }

    /// <summary>Turns the user-info of <paramref name="uri"/> (<c>http://user:password@host</c>) into HTTP basic authentication.</summary>
    /// <param name="request">The request.</param>
    /// <param name="uri">The configured URI.</param>
    public static void ApplyUserInfo(HttpRequestMessage request, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(uri);
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        }
    }
}
