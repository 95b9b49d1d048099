using System.IO.Pipelines;
using Exporters.Exposition;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Exporters.Hosting.Web;

/// <summary>Writes an exposition document as the response, in the negotiated format, gzipped when the client accepts it.</summary>
internal static class MetricsResponse
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Writes <paramref name="document"/> to the response of <paramref name="context"/>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="document">The document.</param>
    /// <returns>A task.</returns>
    public static async Task WriteAsync(HttpContext context, ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(document);
        var request = context.Request;
        var response = context.Response;
        // ?format= pins a format for clients that cannot set Accept (Prometheus before 2.49 has no scrape_protocols).
        var negotiated = request.Query["format"].ToString() switch
        {
            "text" => ContentNegotiation.Negotiate("text/plain;version=0.0.4"),
            "openmetrics" => ContentNegotiation.Negotiate("application/openmetrics-text;version=1.0.0"),
            _ => ContentNegotiation.Negotiate(request.Headers.Accept.ToString()),
        };
        response.ContentType = negotiated.ContentType;
        response.Headers.Vary = "Accept, Accept-Encoding";
        response.Headers.CacheControl = "no-store";

        Stream? gzip = null;
        PipeWriter output;
        if (AcceptsGzip(request.Headers.AcceptEncoding))
        {
            response.Headers.ContentEncoding = "gzip";
            gzip = GzipResponseStream.Create(response.Body);
            output = PipeWriter.Create(gzip, new StreamPipeWriterOptions(leaveOpen: true));
        }
        else
        {
            output = response.BodyWriter;
        }

        try
        {
            for (var i = 0; i < document.FamilyCount; i++)
            {
                document.WriteFamily(i, output, negotiated.Format);
                if (output.UnflushedBytes > FlushThreshold)
                {
                    await output.FlushAsync(context.RequestAborted);
                }
            }

            ExpositionDocument.WriteEnd(output, negotiated.Format);
            await output.FlushAsync(context.RequestAborted);
            if (gzip is not null)
            {
                await output.CompleteAsync();
                if (gzip is GzipResponseStream reused)
                {
                    await reused.FinishAsync(context.RequestAborted);
                }
            }
        }
        finally
        {
            if (gzip is not null)
            {
                await gzip.DisposeAsync();
            }
        }
    }

    /// <summary>Whether an Accept-Encoding header allows gzip (<c>gzip</c> or <c>*</c> with a q above zero).</summary>
    /// <param name="acceptEncoding">The header values.</param>
    /// <returns>True when gzip is acceptable.</returns>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var values))
        {
            return false;
        }

        return values.Any(v => (v.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || v.Value.Equals("*", StringComparison.Ordinal)) && (v.Quality ?? 1) > 0)
            && !values.Any(v => v.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && v.Quality == 0);
    }
}
