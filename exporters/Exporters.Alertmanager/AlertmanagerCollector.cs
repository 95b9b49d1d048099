using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Passthrough;
using Microsoft.Extensions.Logging;

namespace Exporters.Alertmanager;

/// <summary>One instance of the <c>alertmanager</c> collector.</summary>
internal sealed class AlertmanagerCollector : ICollector, IDisposable
{
    private const int MaxLabelValueLength = 64;

    private readonly AlertmanagerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string[] _alertLabels;
    private readonly AlertmanagerMetrics _metrics;
    private readonly HttpClient _client;
    private readonly AlertmanagerApi _api;
    private readonly PassthroughScraper? _passthrough;
    private readonly HashSet<string> _reserved;

    public AlertmanagerCollector(AlertmanagerOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        _alertLabels = [.. options.ParseAlertLabels()];
        _metrics = new AlertmanagerMetrics(_alertLabels, options.ExpiryHorizon);
        _client = PassthroughScraper.CreateClient();
        _api = new AlertmanagerApi(_client);
        _reserved = new HashSet<string>(_metrics.Names, StringComparer.Ordinal);
        if (options.Passthrough.Enabled)
        {
            _passthrough = new PassthroughScraper(options.Passthrough, "alertmanager_api_passthrough_", _client);
            _reserved.UnionWith(_passthrough.SelfMetricNames);
        }
    }

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        if (!TargetUri.TryParse(context.Target, out var baseUri, out var error))
        {
            context.Logger.LogWarning("alertmanager target {Error}", error);
            writer.Write(_metrics.Up, 0);
            _passthrough?.WriteSelfMetrics(writer, up: false);
            return;
        }

        var api = FetchAsync(baseUri!, context, context.FetchCancellationToken);

        // The passthrough writes while the API calls are in flight; the API results are written after both finish,
        // so the writer is never used by two tasks at once.
        var passthroughUp = false;
        if (_passthrough is not null)
        {
            var metricsUri = new UriBuilder(baseUri!) { Path = baseUri!.AbsolutePath.TrimEnd('/') + _options.Passthrough.Path, Query = string.Empty, Fragment = string.Empty }.Uri;
            passthroughUp = await _passthrough.ScrapeAsync(metricsUri, writer, context.Logger, _reserved, context.FetchCancellationToken);
        }

        var snapshot = await api;
        if (snapshot is null)
        {
            writer.Write(_metrics.Up, 0);
        }
        else
        {
            writer.Write(_metrics.Up, 1);
            Write(snapshot, writer, _timeProvider.GetUtcNow());
        }

        _passthrough?.WriteSelfMetrics(writer, passthroughUp);
    }

    public void Dispose()
    {
        _passthrough?.Dispose();
        _client.Dispose();
    }

    private async Task<ApiSnapshot?> FetchAsync(Uri baseUri, ScrapeContext context, CancellationToken token)
    {
        var shown = Secrets.RedactTarget(baseUri.ToString());
        try
        {
            return await _api.FetchAsync(baseUri, token);
        }
        catch (AlertmanagerApiException e)
        {
            context.Logger.LogWarning("alertmanager at {Target} is down for this scrape: {Error}", shown, e.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            context.Logger.LogWarning("alertmanager at {Target} did not answer before the scrape deadline", shown);
        }

        return null;
    }

    /// <summary>Turns one API snapshot into samples.</summary>
    internal void Write(ApiSnapshot snapshot, MetricWriter writer, DateTimeOffset now)
    {
        var m = _metrics;
        var dropped = 0;
        var limit = _options.SeriesLimit;

        // Alerts.
        var byState = new Dictionary<string, int>(StringComparer.Ordinal);
        var byLabels = new Dictionary<string, (string[] Values, int Count)>(StringComparer.Ordinal);
        var byReceiver = new Dictionary<(string Receiver, string State), int>();
        var oldest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var silenceHits = new Dictionary<string, int>(StringComparer.Ordinal);
        int silenced = 0, inhibited = 0, timeMuted = 0;
        foreach (var state in AlertmanagerMetrics.AlertStates)
        {
            byState[state] = 0;
            foreach (var receiver in snapshot.Receivers)
            {
                if (receiver.Name is { } name)
                {
                    byReceiver[(name, state)] = 0;
                }
            }
        }

        var key = new StringBuilder();
        foreach (var alert in snapshot.Alerts)
        {
            var state = alert.Status?.State ?? "unprocessed";
            if (!byState.ContainsKey(state))
            {
                // A state a newer Alertmanager may add: not guessed at, left out of the per-state families.
                continue;
            }

            byState[state]++;
            key.Clear();
            var values = new string[_alertLabels.Length + 1];
            for (var i = 0; i < _alertLabels.Length; i++)
            {
                values[i] = alert.Labels is not null && alert.Labels.TryGetValue(_alertLabels[i], out var v) ? v : string.Empty;
                key.Append(values[i]).Append('\u0000');
            }

            values[^1] = state;
            key.Append(state);
            var k = key.ToString();
            byLabels[k] = byLabels.TryGetValue(k, out var entry) ? (entry.Values, entry.Count + 1) : (values, 1);

            foreach (var receiver in alert.Receivers ?? [])
            {
                if (receiver.Name is { } name)
                {
                    byReceiver[(name, state)] = byReceiver.GetValueOrDefault((name, state)) + 1;
                }
            }

            if (state == "active" && AlertmanagerApi.TryParseTime(alert.StartsAt, out var started)
                && alert.Labels?.GetValueOrDefault("alertname") is { } alertname
                && (!oldest.TryGetValue(alertname, out var current) || started < current))
            {
                oldest[alertname] = started;
            }

            if (alert.Status?.SilencedBy is { Count: > 0 } silencers)
            {
                silenced++;
                foreach (var id in silencers)
                {
                    silenceHits[id] = silenceHits.GetValueOrDefault(id) + 1;
                }
            }

            if (alert.Status?.InhibitedBy is { Count: > 0 })
            {
                inhibited++;
            }

            if (alert.Status?.MutedBy is { Count: > 0 })
            {
                timeMuted++;
            }
        }

        foreach (var state in AlertmanagerMetrics.AlertStates)
        {
            writer.Write(m.Alerts, byState[state], state);
        }

        var written = 0;
        foreach (var (_, (values, count)) in byLabels.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (written++ >= limit)
            {
                dropped++;
                continue;
            }

            writer.Write(m.AlertsByLabels, count, values);
        }

        foreach (var ((receiver, state), count) in byReceiver.OrderBy(e => e.Key.Receiver, StringComparer.Ordinal).ThenBy(e => Array.IndexOf(AlertmanagerMetrics.AlertStates, e.Key.State)))
        {
            writer.Write(m.AlertsByReceiver, count, receiver, state);
        }

        written = 0;
        foreach (var (alertname, started) in oldest.OrderBy(e => e.Value))
        {
            if (written++ >= limit)
            {
                dropped++;
                continue;
            }

            writer.Write(m.OldestActiveAlertAge, Math.Max(0, (now - started).TotalSeconds), alertname);
        }

        writer.Write(m.AlertsSilenced, silenced);
        writer.Write(m.AlertsInhibited, inhibited);
        writer.Write(m.AlertsTimeMuted, timeMuted);

        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var receiver in snapshot.Receivers)
        {
            if (receiver.Name is { } name)
            {
                groups[name] = 0;
            }
        }

        foreach (var group in snapshot.Groups)
        {
            if (group.Receiver?.Name is { } name)
            {
                groups[name] = groups.GetValueOrDefault(name) + 1;
            }
        }

        foreach (var (receiver, count) in groups.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            writer.Write(m.AlertGroups, count, receiver);
        }

        if (_options.AlertSeries)
        {
            written = 0;
            var labels = new string[_alertLabels.Length + 2];
            var timed = new List<(ApiAlert Alert, string Fingerprint, DateTimeOffset Started)>();
            foreach (var alert in snapshot.Alerts)
            {
                if (alert.Fingerprint is { Length: > 0 and <= MaxLabelValueLength } fingerprint && AlertmanagerApi.TryParseTime(alert.StartsAt, out var started))
                {
                    timed.Add((alert, fingerprint, started));
                }
            }

            // Oldest first, so the limit keeps the alerts that have been firing longest.
            foreach (var (alert, fingerprint, started) in timed.OrderBy(a => a.Started).ThenBy(a => a.Fingerprint, StringComparer.Ordinal))
            {

                if (written++ >= limit)
                {
                    dropped++;
                    continue;
                }

                labels[0] = fingerprint;
                labels[1] = alert.Status?.State ?? "unprocessed";
                for (var i = 0; i < _alertLabels.Length; i++)
                {
                    labels[i + 2] = alert.Labels?.GetValueOrDefault(_alertLabels[i]) ?? string.Empty;
                }

                writer.Write(m.AlertStart, started.ToUnixTimeMilliseconds() / 1000d, labels);
            }
        }

        // Silences.
        var silencesByState = AlertmanagerMetrics.SilenceStates.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        int expiring = 0, matchingNone = 0;
        var live = new List<(ApiSilence Silence, DateTimeOffset Ends)>();
        foreach (var silence in snapshot.Silences)
        {
            var state = silence.Status?.State ?? string.Empty;
            if (silencesByState.TryGetValue(state, out var count))
            {
                silencesByState[state] = count + 1;
            }

            if (state == "active")
            {
                if (AlertmanagerApi.TryParseTime(silence.EndsAt, out var ends) && ends - now <= _options.ExpiryHorizon.Value)
                {
                    expiring++;
                }

                if (silence.Id is null || !silenceHits.ContainsKey(silence.Id))
                {
                    matchingNone++;
                }
            }

            if (state is "active" or "pending" && AlertmanagerApi.TryParseTime(silence.EndsAt, out var end))
            {
                live.Add((silence, end));
            }
        }

        foreach (var state in AlertmanagerMetrics.SilenceStates)
        {
            writer.Write(m.Silences, silencesByState[state], state);
        }

        writer.Write(m.SilencesExpiring, expiring);
        writer.Write(m.SilencesMatchingNoAlerts, matchingNone);

        if (_options.SilenceSeries)
        {
            written = 0;

            // Soonest to end first, so the limit keeps the silences most worth watching.
            foreach (var (silence, ends) in live.OrderBy(s => s.Ends).ThenBy(s => s.Silence.Id, StringComparer.Ordinal))
            {
                if (silence.Id is not { Length: > 0 and <= MaxLabelValueLength } id)
                {
                    continue;
                }

                if (written++ >= limit)
                {
                    dropped++;
                    continue;
                }

                var createdBy = Sanitize(silence.CreatedBy);
                if (AlertmanagerApi.TryParseTime(silence.StartsAt, out var starts))
                {
                    writer.Write(m.SilenceStart, starts.ToUnixTimeMilliseconds() / 1000d, id, createdBy);
                }

                writer.Write(m.SilenceEnd, ends.ToUnixTimeMilliseconds() / 1000d, id, createdBy);
                writer.Write(m.SilenceAlerts, silenceHits.GetValueOrDefault(id), id, createdBy);
            }
        }

        // Status.
        var status = snapshot.Status;
        var clusterStatus = status.Cluster?.Status;
        foreach (var state in AlertmanagerMetrics.ClusterStates)
        {
            writer.Write(m.ClusterStatus, state == clusterStatus ? 1 : 0, state);
        }

        writer.Write(m.ClusterPeers, status.Cluster?.Peers?.Count ?? 0);
        var version = status.VersionInfo;
        writer.Write(m.VersionInfo, Sanitize(version?.Version), Sanitize(version?.Revision), Sanitize(version?.Branch), Sanitize(version?.GoVersion));
        if (status.Config?.Original is { } config)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(config));
            writer.Write(m.ConfigHash, (double)(BinaryPrimitives.ReadUInt64BigEndian(hash) >> 16));
        }

        if (AlertmanagerApi.TryParseTime(status.Uptime, out var startTime))
        {
            writer.Write(m.StartTime, startTime.ToUnixTimeMilliseconds() / 1000d);
        }

        writer.Write(m.SeriesDropped, dropped);
    }

    /// <summary>Keeps user-supplied text short and on one line before it becomes a label value.</summary>
    private static string Sanitize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var text = value.Length > MaxLabelValueLength ? value[..MaxLabelValueLength] : value;
        return text.Any(char.IsControl) ? new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]) : text;
    }
}
