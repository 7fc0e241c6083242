"""Offline stand-in for rules_go's go/extensions.bzl: a go_sdk extension that
accepts the tags a root module gives it and creates nothing (the stand-in
never builds Go code)."""

def _go_sdk_impl(_mctx):
    pass

go_sdk = module_extension(
    implementation = _go_sdk_impl,
    tag_classes = {
        "download": tag_class(attrs = {
            "name": attr.string(),
            "version": attr.string(),
        }),
        "host": tag_class(attrs = {
            "name": attr.string(),
            "version": attr.string(),
        }),
    },
)
