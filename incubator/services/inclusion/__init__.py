"""Who takes part: demographic answers, the inclusion funnel and the suppression that
makes every published count of people safe."""
