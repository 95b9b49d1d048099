namespace Exporters.Elasticsearch.Aws;

/// <summary>What the SigV4 handler needs: region, service, an optional role to assume, and where settings come from.</summary>
internal sealed class AwsSigV4Settings
{
    /// <summary>The region of the domain, for example eu-west-1; when null, <c>AWS_REGION</c> then <c>AWS_DEFAULT_REGION</c>.</summary>
    public string? Region { get; init; }

    /// <summary>The signing name: <c>es</c> for Amazon OpenSearch Service / Elasticsearch Service, <c>aoss</c> for OpenSearch Serverless.</summary>
    public string Service { get; init; } = "es";

    /// <summary>A role to assume with the chain's credentials (elasticsearch_exporter's <c>--aws.role-arn</c>).</summary>
    public string? RoleArn { get; init; }

    /// <summary>The session name for <see cref="RoleArn"/>; a default naming this exporter otherwise.</summary>
    public string? RoleSessionName { get; init; }

    /// <summary>Adds <c>x-amz-content-sha256</c> to each request (OpenSearch Serverless requires it).</summary>
    public bool AddContentSha256Header { get; init; }

    public AwsEnvironment Environment { get; init; } = AwsEnvironment.Process;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Overrides the STS endpoint (before <c>AWS_ENDPOINT_URL_STS</c>); for tests and private endpoints.</summary>
    public Uri? StsEndpoint { get; init; }

    /// <summary>Where <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> points; 169.254.170.2 unless a test says otherwise.</summary>
    public Uri? ContainerRelativeBase { get; init; }

    /// <summary>Transport for STS and the container endpoint; not disposed. When null, the chain makes its own.</summary>
    public HttpMessageHandler? CredentialsHttpHandler { get; init; }

    /// <summary>How long before expiry temporary credentials are renewed.</summary>
    public TimeSpan RefreshAhead { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Builds the SigV4 handler and its credential chain from settings.</summary>
internal static class AwsSigV4
{
    /// <summary>
    /// The handler for <paramref name="region"/> (or <c>AWS_REGION</c>), service <c>es</c>, credentials from the chain
    /// in <paramref name="environment"/>, with <paramref name="roleArn"/> assumed on top when given.
    /// </summary>
    public static AwsSigV4Handler CreateHandler(string? region, string? roleArn, IReadOnlyDictionary<string, string?> environment, HttpMessageHandler? innerHandler = null) =>
        CreateHandler(new AwsSigV4Settings { Region = region, RoleArn = roleArn, Environment = AwsEnvironment.FromDictionary(environment) }, innerHandler);

    /// <summary>The handler for <paramref name="settings"/>; it owns and disposes the credential chain.</summary>
    /// <exception cref="AwsCredentialsException">A setting is missing or malformed; the message names it.</exception>
    public static AwsSigV4Handler CreateHandler(AwsSigV4Settings settings, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var region = ResolveRegion(settings);
        SigV4Signer signer;
        try
        {
            signer = new SigV4Signer(region, settings.Service);
        }
        catch (ArgumentException e)
        {
            throw new AwsCredentialsException(e.Message, e);
        }

        var chain = AwsCredentialChain.Create(settings, region);
        var handler = new AwsSigV4Handler(signer, chain, settings.Time, settings.AddContentSha256Header, ownsCredentials: true);
        if (innerHandler is not null)
        {
            handler.InnerHandler = innerHandler;
        }

        return handler;
    }

    public static string ResolveRegion(AwsSigV4Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var region = string.IsNullOrWhiteSpace(settings.Region) ? settings.Environment.First(AwsEnvironment.Region, AwsEnvironment.DefaultRegion).Value : settings.Region.Trim();
        if (region is null)
        {
            throw new AwsCredentialsException($"no AWS region: set the region option, {AwsEnvironment.Region} or {AwsEnvironment.DefaultRegion}");
        }

        if (!region.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new AwsCredentialsException($"'{region}' is not an AWS region name (for example eu-west-1)");
        }

        return region;
    }
}

/// <summary>
/// The standard credential chain, first match wins: environment keys; web identity (<c>AWS_WEB_IDENTITY_TOKEN_FILE</c>
/// with <c>AWS_ROLE_ARN</c>); the container credentials endpoint. Optionally a role assumed on top. Temporary
/// credentials are cached and renewed ahead of expiry. Owns the HTTP clients it made.
/// </summary>
internal sealed class AwsCredentialChain : IAwsCredentialsProvider, IDisposable
{
    private readonly CachingCredentialsProvider _cache;
    private readonly List<IDisposable> _owned;

    private AwsCredentialChain(IAwsCredentialsProvider selected, AssumeRoleCredentialsProvider? assumedRole, CachingCredentialsProvider cache, List<IDisposable> owned)
    {
        Selected = selected;
        AssumedRole = assumedRole;
        _cache = cache;
        _owned = owned;
    }

    /// <summary>The base source the chain chose.</summary>
    public IAwsCredentialsProvider Selected { get; }

    /// <summary>The role assumed on top of <see cref="Selected"/>, if any.</summary>
    public AssumeRoleCredentialsProvider? AssumedRole { get; }

    public string Description => _cache.Description;

    public static AwsCredentialChain Create(AwsSigV4Settings settings, string region)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = settings.Environment;
        var owned = new List<IDisposable>();
        StsClient? sts = null;
        HttpClient? containerHttp = null;

        StsClient Sts()
        {
            if (sts is null)
            {
                var endpoint = settings.StsEndpoint ?? StsClient.ResolveEndpoint(region, environment);
                var http = settings.CredentialsHttpHandler is { } shared
                    ? new HttpClient(shared, disposeHandler: false)
                    : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseCookies = false, AllowAutoRedirect = false });
                sts = new StsClient(http, endpoint, region, settings.Time, ownsClient: true);
                owned.Add(sts);
            }

            return sts;
        }

        HttpClient ContainerHttp()
        {
            if (containerHttp is null)
            {
                // The agents listen on link-local and loopback addresses, which a configured HTTP proxy cannot reach.
                containerHttp = settings.CredentialsHttpHandler is { } shared
                    ? new HttpClient(shared, disposeHandler: false)
                    : new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });
                owned.Add(containerHttp);
            }

            return containerHttp;
        }

        try
        {
            var selected = SelectSource(settings, Sts, ContainerHttp);
            var baseCache = new CachingCredentialsProvider(selected, settings.Time, settings.RefreshAhead);
            AssumeRoleCredentialsProvider? assumed = null;
            var top = baseCache;
            if (!string.IsNullOrWhiteSpace(settings.RoleArn))
            {
                var roleArn = AwsRoles.CheckRoleArn(settings.RoleArn.Trim(), "the role ARN to assume");
                var sessionName = settings.RoleSessionName is { } name ? AwsRoles.CheckSessionName(name, "the role session name") : AwsRoles.DefaultSessionName(settings.Time);
                assumed = new AssumeRoleCredentialsProvider(Sts(), baseCache, roleArn, sessionName);
                top = new CachingCredentialsProvider(assumed, settings.Time, settings.RefreshAhead);
            }

            owned.Insert(0, top);
            return new AwsCredentialChain(selected, assumed, top, owned);
        }
        catch
        {
            foreach (var resource in owned)
            {
                resource.Dispose();
            }

            throw;
        }
    }

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => _cache.GetCredentialsAsync(cancellationToken);

    public void Dispose()
    {
        foreach (var resource in _owned)
        {
            resource.Dispose();
        }
    }

    private static IAwsCredentialsProvider SelectSource(AwsSigV4Settings settings, Func<StsClient> sts, Func<HttpClient> containerHttp)
    {
        var environment = settings.Environment;
        var (keyName, keyId) = environment.First(AwsEnvironment.AccessKeyId, AwsEnvironment.AccessKeyIdLegacy);
        var (secretName, secret) = environment.First(AwsEnvironment.SecretAccessKey, AwsEnvironment.SecretAccessKeyLegacy);
        if (keyId is not null && secret is not null)
        {
            return new StaticCredentialsProvider(new AwsCredentials(keyId, secret, environment.Get(AwsEnvironment.SessionToken), null, "environment"));
        }

        // Half a key pair is a mistake to report, not a reason to fall through to another identity.
        if (keyId is not null)
        {
            throw new AwsCredentialsException($"{keyName} is set but {AwsEnvironment.SecretAccessKey} is not");
        }

        if (secret is not null)
        {
            throw new AwsCredentialsException($"{secretName} is set but {AwsEnvironment.AccessKeyId} is not");
        }

        if (environment.Get(AwsEnvironment.WebIdentityTokenFile) is { } tokenFile)
        {
            var roleArn = AwsRoles.CheckRoleArn(
                environment.Get(AwsEnvironment.RoleArn) ?? throw new AwsCredentialsException($"{AwsEnvironment.WebIdentityTokenFile} is set but {AwsEnvironment.RoleArn} is not"),
                AwsEnvironment.RoleArn);
            var sessionName = environment.Get(AwsEnvironment.RoleSessionName) is { } name
                ? AwsRoles.CheckSessionName(name, AwsEnvironment.RoleSessionName)
                : AwsRoles.DefaultSessionName(settings.Time);
            return new WebIdentityCredentialsProvider(sts(), tokenFile, roleArn, sessionName);
        }

        if (ContainerCredentialsProvider.ResolveEndpoint(environment, settings.ContainerRelativeBase) is { } endpoint)
        {
            return new ContainerCredentialsProvider(
                containerHttp(),
                endpoint,
                environment.Get(AwsEnvironment.ContainerAuthorizationToken),
                environment.Get(AwsEnvironment.ContainerAuthorizationTokenFile));
        }

        throw new AwsCredentialsException(
            $"no AWS credentials found: set {AwsEnvironment.AccessKeyId} and {AwsEnvironment.SecretAccessKey}, "
            + $"or {AwsEnvironment.WebIdentityTokenFile} and {AwsEnvironment.RoleArn} (EKS IAM roles for service accounts), "
            + $"or {AwsEnvironment.ContainerRelativeUri} / {AwsEnvironment.ContainerFullUri} (ECS task roles, EKS Pod Identity); "
            + "shared credential files and EC2 instance profiles are not read");
    }
}
