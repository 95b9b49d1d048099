using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Exporters.Passthrough;

namespace Exporters.Alertmanager;

/// <summary>Everything one scrape reads from API v2.</summary>
internal sealed record ApiSnapshot(ApiStatus Status, List<ApiAlert> Alerts, List<ApiSilence> Silences, List<ApiReceiver> Receivers, List<ApiAlertGroup> Groups);

/// <summary>A failed API call; the message names the endpoint and never contains credentials.</summary>
internal sealed class AlertmanagerApiException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads Alertmanager's API v2 with source-generated JSON contracts.</summary>
internal sealed class AlertmanagerApi(HttpClient client)
{
    /// <summary>Fetches status, alerts, silences, receivers and alert groups concurrently; the first failure cancels the rest.</summary>
    public async Task<ApiSnapshot> FetchAsync(Uri baseUri, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var status = GetAsync(baseUri, "api/v2/status", ApiJsonContext.Default.ApiStatus, failFast);
        var alerts = GetAsync(baseUri, "api/v2/alerts", ApiJsonContext.Default.ListApiAlert, failFast);
        var silences = GetAsync(baseUri, "api/v2/silences", ApiJsonContext.Default.ListApiSilence, failFast);
        var receivers = GetAsync(baseUri, "api/v2/receivers", ApiJsonContext.Default.ListApiReceiver, failFast);
        var groups = GetAsync(baseUri, "api/v2/alerts/groups", ApiJsonContext.Default.ListApiAlertGroup, failFast);
        try
        {
            await Task.WhenAll(status, alerts, silences, receivers, groups);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Report the call that failed first, not one cancelled because of it.
            var failed = new Task[] { status, alerts, silences, receivers, groups }
                .FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is AlertmanagerApiException);
            if (failed is not null)
            {
                throw failed.Exception!.InnerException!;
            }

            throw;
        }

        return new ApiSnapshot(status.Result, alerts.Result, silences.Result, receivers.Result, groups.Result);
    }

    private async Task<T> GetAsync<T>(Uri baseUri, string path, JsonTypeInfo<T> contract, CancellationTokenSource failFast)
        where T : class
    {
        try
        {
            var uri = new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + path);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            TargetUri.ApplyUserInfo(request, baseUri);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, failFast.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new AlertmanagerApiException($"GET /{path} answered HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
            }

            var stream = await response.Content.ReadAsStreamAsync(failFast.Token);
            await using (stream)
            {
                return await JsonSerializer.DeserializeAsync(stream, contract, failFast.Token)
                    ?? throw new AlertmanagerApiException($"GET /{path} answered null");
            }
        }
        catch (JsonException e)
        {
            await failFast.CancelAsync();
            throw new AlertmanagerApiException($"GET /{path} answered invalid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            await failFast.CancelAsync();
            throw new AlertmanagerApiException($"GET /{path} failed: {Describe(e)}", e);
        }
        catch (AlertmanagerApiException)
        {
            await failFast.CancelAsync();
            throw;
        }
    }

    private static string Describe(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message += ": " + inner.Message;
        }

        return message;
    }

    /// <summary>Parses an RFC 3339 time as Go writes it (up to nine fractional digits).</summary>
    public static bool TryParseTime(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            // .NET reads at most seven fractional digits; the eighth and ninth are below its resolution anyway.
            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
