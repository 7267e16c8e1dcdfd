import pulumi
from gathering_provider import Gathering

config = pulumi.Config()
count = int(config.require("count"))
for i in range(count):
    Gathering(f"member-{i}", config.require("dir"), count)
