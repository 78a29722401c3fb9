"""What hosts need to run the bot: metrics, health and log formats.

Below the front ends and above everything else: the Discord layer feeds it, the engine,
the quiz service and storage never import it (they take plain callbacks instead).
"""
