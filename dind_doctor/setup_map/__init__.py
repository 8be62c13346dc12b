"""`dind-doctor map`: the set-up drawn from the project model (model), for a terminal and as Mermaid or HTML."""
