using System.Net;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace Exporters.Passthrough;

/// <summary>
/// Fetches a target's <c>/metrics</c> over HTTP and re-emits its families through a <see cref="MetricWriter"/>,
/// with its own self metrics (<c>&lt;prefix&gt;up</c>, malformed lines, dropped series, skipped families). Any
/// collector can embed one to serve an application's own metrics next to its own; keep one instance per collector
/// instance, since the parser, definitions and HTTP connections are reused between scrapes.
/// </summary>
public sealed class PassthroughScraper : IDisposable
{
    /// <summary>The largest response accepted.</summary>
    public const int MaxResponseBytes = 64 * 1024 * 1024;

    private const string Accept = "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly ExpositionParser _parser = new();
    private readonly FamilyEmitter _emitter;
    private readonly GaugeDefinition _up;
    private readonly CounterDefinition _malformed;
    private readonly CounterDefinition _dropped;
    private readonly CounterDefinition _skipped;
    private readonly GaugeDefinition _series;
    private byte[] _body = new byte[64 * 1024];
    private double _malformedTotal;
    private double _droppedTotal;
    private double _skippedTotal;
    private int _lastSeries;

    /// <summary>Creates a scraper.</summary>
    /// <param name="settings">Prefix, filters and series limit.</param>
    /// <param name="selfMetricPrefix">Prefix of the self metrics, for example <c>passthrough_</c> gives <c>passthrough_up</c>.</param>
    /// <param name="client">An HTTP client to share, or null to create one that ignores proxy settings (targets are local).</param>
    public PassthroughScraper(PassthroughSettings settings, string selfMetricPrefix, HttpClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(selfMetricPrefix);
        _emitter = new FamilyEmitter(settings.CreateFilter(), settings.Prefix, settings.SeriesLimit);
        _ownsClient = client is null;
        _client = client ?? CreateClient();
        _up = new GaugeDefinition(selfMetricPrefix + "up", "Whether the last fetch of the target's own metrics succeeded (1) or not (0).");
        _malformed = new CounterDefinition(selfMetricPrefix + "malformed_lines_total", "Lines and series of the target's metrics skipped because they are invalid.");
        _dropped = new CounterDefinition(selfMetricPrefix + "series_dropped_total", "Series of the target's metrics dropped because a scrape exceeded series_limit.");
        _skipped = new CounterDefinition(selfMetricPrefix + "families_skipped_total", "Families of the target's metrics skipped: unsupported type, or a name already taken.");
        _series = new GaugeDefinition(selfMetricPrefix + "series", "Series of the target's metrics re-exposed by the last scrape.");
        SelfMetricNames = new HashSet<string>(StringComparer.Ordinal) { _up.Name, _malformed.Name, _dropped.Name, _skipped.Name, _series.Name };
    }

    /// <summary>The names of the self metrics (so an embedding collector can reserve them).</summary>
    public IReadOnlySet<string> SelfMetricNames { get; }

    /// <summary>The emitter (counts of the last scrape).</summary>
    public FamilyEmitter Emitter => _emitter;

    /// <summary>Creates an HTTP client suited to local targets: no proxy, compressed responses accepted, no redirects.</summary>
    /// <returns>The client.</returns>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Fetches <paramref name="uri"/> and re-emits its families into <paramref name="writer"/>. Never throws for
    /// target problems (they are logged and give <see langword="false"/>); only cancellation of
    /// <paramref name="cancellationToken"/> by the caller's own deadline ends it early, also with <see langword="false"/>.
    /// </summary>
    /// <param name="uri">The metrics URI; user-info becomes HTTP basic authentication.</param>
    /// <param name="writer">The destination.</param>
    /// <param name="logger">Where problems are logged.</param>
    /// <param name="reservedNames">Family names the caller writes itself, or null.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>Whether the target answered with metrics.</returns>
    public async Task<bool> ScrapeAsync(Uri uri, MetricWriter writer, ILogger logger, IReadOnlySet<string>? reservedNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(logger);
        _lastSeries = 0;
        var shown = Secrets.RedactTarget(uri.ToString());
        int length;
        ExpositionSyntax syntax;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.TryAddWithoutValidation("Accept", Accept);
            TargetUri.ApplyUserInfo(request, uri);

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("fetching metrics from {Target} failed: HTTP {Status}", shown, (int)response.StatusCode);
                return false;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            syntax = mediaType switch
            {
                "application/openmetrics-text" => ExpositionSyntax.OpenMetrics,
                null or "text/plain" => ExpositionSyntax.Text,
                _ => (ExpositionSyntax)(-1),
            };
            if (syntax < 0)
            {
                logger.LogWarning("fetching metrics from {Target} failed: unsupported content type '{ContentType}'", shown, mediaType);
                return false;
            }

            // The whole body is read before anything is written, so a connection lost halfway leaves no partial families behind.
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (stream)
            {
                length = await ReadAllAsync(stream, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("fetching metrics from {Target} did not finish before the scrape deadline", shown);
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or OperationCanceledException)
        {
            logger.LogWarning("fetching metrics from {Target} failed: {Error}", shown, Describe(e));
            return false;
        }

        if (length < 0)
        {
            logger.LogWarning("fetching metrics from {Target} failed: the response is larger than {Limit} bytes", shown, MaxResponseBytes);
            return false;
        }

        Emit(_body.AsSpan(0, length), syntax, writer, logger, reservedNames);
        return true;
    }

    /// <summary>Parses an exposition held in memory and re-emits it (what <see cref="ScrapeAsync"/> does after fetching).</summary>
    /// <param name="document">The exposition.</param>
    /// <param name="syntax">Its format.</param>
    /// <param name="writer">The destination.</param>
    /// <param name="logger">Where problems are logged, or null.</param>
    /// <param name="reservedNames">Family names the caller writes itself, or null.</param>
    /// <returns>The parser's counts.</returns>
    public ParseSummary Emit(ReadOnlySpan<byte> document, ExpositionSyntax syntax, MetricWriter writer, ILogger? logger, IReadOnlySet<string>? reservedNames)
    {
        _emitter.Begin(writer, logger, reservedNames);
        var summary = _parser.Parse(document, syntax, _emitter);
        _malformedTotal += _emitter.Malformed;
        _droppedTotal += _emitter.SeriesDropped;
        _skippedTotal += _emitter.FamiliesSkipped;
        _lastSeries = _emitter.SeriesWritten;
        if (_emitter.Malformed > 0)
        {
            logger?.LogWarning("skipped {Count} malformed lines or series of the target's metrics", _emitter.Malformed);
        }

        if (_emitter.SeriesDropped > 0)
        {
            logger?.LogWarning("dropped {Count} series of the target's metrics over series_limit {Limit}", _emitter.SeriesDropped, _emitter.SeriesLimit);
        }

        return summary;
    }

    /// <summary>Writes the self metrics.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="up">Whether the last fetch succeeded.</param>
    public void WriteSelfMetrics(MetricWriter writer, bool up)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_up, up ? 1 : 0);
        writer.Write(_malformed, _malformedTotal);
        writer.Write(_dropped, _droppedTotal);
        writer.Write(_skipped, _skippedTotal);
        writer.Write(_series, up ? _lastSeries : 0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<int> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _body.Length)
            {
                if (_body.Length >= MaxResponseBytes)
                {
                    return -1;
                }

                Array.Resize(ref _body, Math.Min(_body.Length * 2, MaxResponseBytes));
            }

            var read = await stream.ReadAsync(_body.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return length;
            }

            length += read;
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
}
