namespace Exporters.Abstractions;

/// <summary>
/// A collector that answers an HTTP path of its own besides scrapes, as redis_exporter's
/// <c>/discover-cluster-nodes</c>. The host routes each of a profile's <see cref="ExporterProfile.CollectorPaths"/>
/// to the default instance of the profile's first collector, within that instance's timeout and behind the same web
/// security as every other endpoint.
/// </summary>
public interface ICollectorEndpoint
{
    /// <summary>Answers a GET of <paramref name="path"/>.</summary>
    /// <param name="path">The path requested.</param>
    /// <param name="cancellationToken">Cancelled at the instance's timeout or when the client goes away.</param>
    /// <returns>The response.</returns>
    Task<CollectorEndpointResponse> HandleAsync(string path, CancellationToken cancellationToken);
}

/// <summary>What a <see cref="ICollectorEndpoint"/> answers.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Body">The body. Never secrets.</param>
public sealed record CollectorEndpointResponse(int StatusCode, string ContentType, string Body);
