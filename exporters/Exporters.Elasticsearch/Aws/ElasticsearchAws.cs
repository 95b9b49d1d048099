namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// The collector's AWS signing for one set of <c>aws:</c> options: a signer for the region and service and one
/// credential chain, shared by every connection that signs with these options and disposed with the collector.
/// </summary>
internal sealed class AwsSigning : IDisposable
{
    private readonly AwsCredentialChain _chain;
    private readonly TimeProvider _time;
    private readonly bool _addContentSha256Header;

    private AwsSigning(SigV4Signer signer, AwsCredentialChain chain, TimeProvider time, bool addContentSha256Header)
    {
        Signer = signer;
        _chain = chain;
        _time = time;
        _addContentSha256Header = addContentSha256Header;
    }

    public SigV4Signer Signer { get; }

    /// <summary>Where the credentials come from, for log lines (no secret).</summary>
    public string Description => _chain.Description;

    /// <summary>Builds the signer and chain; throws <see cref="AwsCredentialsException"/> naming what is missing.</summary>
    public static AwsSigning Create(ElasticsearchAwsOptions options, AwsEnvironment environment, TimeProvider time)
    {
        var settings = ElasticsearchAws.Settings(options, environment, time);
        var region = AwsSigV4.ResolveRegion(settings);
        SigV4Signer signer;
        try
        {
            signer = new SigV4Signer(region, settings.Service);
        }
        catch (ArgumentException e)
        {
            throw new AwsCredentialsException(e.Message, e);
        }

        return new AwsSigning(signer, AwsCredentialChain.Create(settings, region), time, settings.AddContentSha256Header);
    }

    /// <summary>A signing handler for one connection; the chain stays with this object.</summary>
    public AwsSigV4Handler CreateHandler() => new(Signer, _chain, _time, _addContentSha256Header, ownsCredentials: false);

    /// <summary>Fetches credentials once, so that a broken chain is reported at start rather than at the first scrape.</summary>
    public ValueTask<AwsCredentials> CheckAsync(CancellationToken cancellationToken) => _chain.GetCredentialsAsync(cancellationToken);

    public void Dispose() => _chain.Dispose();
}

/// <summary>Turns the collector's <c>aws:</c> options into the signing settings, and checks them.</summary>
internal static class ElasticsearchAws
{
    /// <summary>OpenSearch Serverless' signing name; it wants the payload hash header on every request.</summary>
    public const string ServerlessService = "aoss";

    public static AwsSigV4Settings Settings(ElasticsearchAwsOptions options, AwsEnvironment environment, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = string.IsNullOrWhiteSpace(options.Service) ? "es" : options.Service.Trim();
        return new AwsSigV4Settings
        {
            Region = string.IsNullOrWhiteSpace(options.Region) ? null : options.Region.Trim(),
            RoleArn = string.IsNullOrWhiteSpace(options.RoleArn) ? null : options.RoleArn.Trim(),
            Service = service,
            AddContentSha256Header = service == ServerlessService,
            Environment = environment,
            Time = time,
        };
    }

    /// <summary>
    /// Checks what can be checked without the network: the service name, a region (from the options or the
    /// environment) and a credential source in the environment. Fetching credentials is left to the first use.
    /// </summary>
    public static void Validate(ElasticsearchAwsOptions options, string prefix, AwsEnvironment environment, Abstractions.OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Service is not ("es" or ServerlessService))
        {
            errors.Add(prefix + ".service", $"'{options.Service}' is not es (OpenSearch Service and Elasticsearch Service domains) or aoss (OpenSearch Serverless)");
            return;
        }

        var settings = Settings(options, environment, TimeProvider.System);
        string region;
        try
        {
            region = AwsSigV4.ResolveRegion(settings);
        }
        catch (AwsCredentialsException e)
        {
            errors.Add(prefix + ".region", e.Message);
            return;
        }

        try
        {
            using var chain = AwsCredentialChain.Create(settings, region);
        }
        catch (AwsCredentialsException e)
        {
            errors.Add(prefix, e.Message);
        }
    }
}
