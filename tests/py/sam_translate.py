"""Translates a SAM template into the CloudFormation it deploys, with AWS's
own translator (aws-sam-translator, what `sam deploy` runs), offline, and
prints it as JSON. A template SAM refuses exits 1 with SAM's message.

Usage: sam_translate.py TEMPLATE

The template is read as `sam package` would leave it: every `CodeUri` an S3
address (the translator takes no local path). No AWS call is made: the
managed policies SAM adds by name come from its bundled list.
"""

import json
import os
import sys

import yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """Answers the policy loader without calling IAM."""

    def load(self):
        return {}


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (`!Sub`, `!Ref`, `!GetAtt`)."""


def _short_tag(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        else:
            value = loader.construct_sequence(node)
        return {name: value}

    return construct


for tag, name in [("!Sub", "Fn::Sub"), ("!Ref", "Ref"), ("!GetAtt", "Fn::GetAtt")]:
    CloudFormationLoader.add_constructor(tag, _short_tag(name))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        template = yaml.load(f, Loader=CloudFormationLoader)
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if "CodeUri" in properties:
            properties["CodeUri"] = "s3://packaged/function.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    try:
        translated = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as err:
        print("; ".join(str(cause) for cause in err.causes), file=sys.stderr)
        sys.exit(1)
    json.dump(translated, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
