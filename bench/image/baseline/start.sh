#!/bin/bash
# The baseline's `s` (start.sh), as behavior.md section 3 describes it: queue the three starts and
# return at once, no readiness wait. The broker is the image's own (RabbitMQ in the offline image).
set -eu
amqp=$(sed s/rabbitmq/rabbitmq-server/ /etc/aisandbox-amqp)
for pair in postgresql:PostgreSQL "$amqp":LavinMQ redis-server:Redis; do
  echo "+ Starting ${pair#*:}..."
  systemctl enable --now --no-block "${pair%%:*}"
done
if [ -f Gemfile ]; then
  echo "+ Installing bundle dependencies..."
  flock /bundle/.install.lock bundle install || true
else
  echo "+ Skipping bundle install (Gemfile not found)."
fi
