import pulumi
from tiny_provider import TextFile

config = pulumi.Config()
text_file = TextFile("greeting", config.require("path"), config.require("content"))
pulumi.export("path", text_file.path)
pulumi.export("content", text_file.content)
