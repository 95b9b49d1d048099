namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// The environment variables the AWS credential chain reads, through a lookup the caller supplies, so that tests (and
/// a future per-target configuration) decide what the chain sees. Blank values count as unset; values are trimmed.
/// </summary>
internal sealed class AwsEnvironment(Func<string, string?> lookup)
{
    public const string AccessKeyId = "AWS_ACCESS_KEY_ID";
    public const string AccessKeyIdLegacy = "AWS_ACCESS_KEY";
    public const string SecretAccessKey = "AWS_SECRET_ACCESS_KEY";
    public const string SecretAccessKeyLegacy = "AWS_SECRET_KEY";
    public const string SessionToken = "AWS_SESSION_TOKEN";
    public const string WebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE";
    public const string RoleArn = "AWS_ROLE_ARN";
    public const string RoleSessionName = "AWS_ROLE_SESSION_NAME";
    public const string ContainerRelativeUri = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    public const string ContainerFullUri = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    public const string ContainerAuthorizationToken = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    public const string ContainerAuthorizationTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    public const string Region = "AWS_REGION";
    public const string DefaultRegion = "AWS_DEFAULT_REGION";
    public const string StsEndpointUrl = "AWS_ENDPOINT_URL_STS";
    public const string EndpointUrl = "AWS_ENDPOINT_URL";

    /// <summary>The process environment; the only place that reads it.</summary>
    public static AwsEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);

    public static AwsEnvironment FromDictionary(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new(name => variables.TryGetValue(name, out var value) ? value : null);
    }

    /// <summary>The trimmed value, or null when unset or blank.</summary>
    public string? Get(string name)
    {
        var value = lookup(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The first of <paramref name="names"/> that is set, with its name.</summary>
    public (string? Name, string? Value) First(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (Get(name) is { } value)
            {
                return (name, value);
            }
        }

        return (null, null);
    }
}
