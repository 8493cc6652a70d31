"""Code the Lambda functions share, shipped to AWS as a layer.

Layers, inner to outer: ``models`` (pydantic data shapes and domain errors) and ``domain`` (pure rules: business
hours, phones, IDEXX mapping, call state) know nothing of AWS or HTTP; ``dal`` and ``adapters`` are the only code
that touches DynamoDB and EventBridge Scheduler; ``logic`` orchestrates them per use case; ``api`` holds the HTTP
concerns (auth claims, error mapping, response envelopes) shared by the API handlers.
"""
